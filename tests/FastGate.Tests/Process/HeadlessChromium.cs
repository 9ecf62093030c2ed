using System.Diagnostics;

namespace FastGate.Tests.Process;

/// <summary>Debian's <c>chromium</c> run headless (./test.sh installs it), each run with a profile of its own.</summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The chromium on PATH; fails the test, never skips it, when there is none.</summary>
    public static string Find()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium"))
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null, "chromium is not installed (the dashboard test needs it): ./test.sh installs it, or run `apt-get install chromium`");
        return path!;
    }

    /// <summary>
    /// Loads <paramref name="url"/>, lets the page run for <paramref name="virtualMilliseconds"/> of virtual time
    /// (which stands still while a fetch is pending), then does what <paramref name="arguments"/> ask; returns stdout.
    /// </summary>
    public static async Task<string> RunAsync(string url, int virtualMilliseconds, params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("fastgate-chromium-");
        try
        {
            // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
            using var chromium = System.Diagnostics.Process.Start(new ProcessStartInfo(Find(),
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", $"--user-data-dir={profile.FullName}",
                 $"--virtual-time-budget={virtualMilliseconds}", .. arguments, url])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stdout = chromium.StandardOutput.ReadToEndAsync();
            var stderr = chromium.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await chromium.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish within {Timeout.TotalSeconds} s: {await stderr}");
            }
            Assert.True(chromium.ExitCode == 0, $"chromium exited with {chromium.ExitCode}:\n{await stderr}");
            return await stdout;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
