using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastGate.Tests.Process;

/// <summary>The real fastgate binary in a child process, with its stdout lines collected.</summary>
internal sealed partial class GatewayProcess : IDisposable
{
    private const int SigHup = 1;

    private readonly System.Diagnostics.Process _process;
    private readonly string _configPath;

    private GatewayProcess(System.Diagnostics.Process process, string configPath, int port)
    {
        _process = process;
        _configPath = configPath;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Id;
    public string ConfigPath => _configPath;
    public ConcurrentQueue<string> Lines { get; } = new();
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts fastgate on a free port, routing every path to <paramref name="upstream"/>;
    /// <paramref name="serverKeys"/> are extra lines of its [server] table.
    /// </summary>
    public static Task<GatewayProcess> StartInFrontOfAsync(IPEndPoint upstream, string serverKeys) => StartAsync(InFrontOf(upstream, serverKeys));

    /// <summary>The config of <see cref="StartInFrontOfAsync"/>, for <see cref="WriteConfigAsync"/>.</summary>
    public static string InFrontOf(IPEndPoint upstream, string serverKeys) => $$"""
        {{serverKeys}}
        [clusters.backend]
        destinations = ["{{upstream}}"]
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """;

    /// <summary>
    /// Starts fastgate on a free loopback port; <paramref name="config"/> gets the listen line prepended. A
    /// <paramref name="launcher"/> (a command and its arguments) runs it, when given.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(string config, params string[] launcher)
    {
        var port = FreePort();
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-test-{Guid.NewGuid():N}.toml");
        await File.WriteAllTextAsync(path, WithListen(port, config));
        var (fileName, arguments) = TestPaths.GatewayCommand();
        if (launcher.Length > 0) (fileName, arguments) = (launcher[0], [.. launcher[1..], fileName, .. arguments]);
        var info = new ProcessStartInfo(fileName, [.. arguments, "--config", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = System.Diagnostics.Process.Start(info)!;
        var gateway = new GatewayProcess(process, path, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) gateway.Lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) gateway.Lines.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await gateway.WaitUntilAcceptingAsync(TimeSpan.FromSeconds(30));
        // The proxy listener accepts before the admin listener is up: a test begins once start-up is over.
        await gateway.WaitForLineAsync(l => l.StartsWith("Ready.", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return gateway;
    }

    /// <summary>
    /// The listen line prepended; an admin listener on a free port appended unless the config has its own, and
    /// error-log notices (reloads) unless it sets [telemetry] itself.
    /// </summary>
    private static string WithListen(int port, string config) =>
        $"[server]\nlisten = [\"127.0.0.1:{port}\"]\n{config}"
        + (config.Contains("[admin]", StringComparison.Ordinal) ? "" : "\n[admin]\nlisten = \"127.0.0.1:0\"\n")
        + (config.Contains("[telemetry]", StringComparison.Ordinal) ? "" : "\n[telemetry]\nlog_level = \"notice\"\n");

    /// <summary>The admin listener's base address, from the line the gateway prints at start.</summary>
    public async Task<Uri> AdminAsync()
    {
        const string prefix = "Admin: ";
        var line = await WaitForLineAsync(l => l.StartsWith(prefix, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        return new Uri(line[prefix.Length..].Split(' ')[0]);
    }

    /// <summary>
    /// Rewrites the config file (the listen line prepended, <paramref name="port"/> or the running one): in place,
    /// or as editors and deploy tools do, by writing a new file and renaming it over the old one.
    /// </summary>
    public async Task WriteConfigAsync(string config, bool byRename, int? port = null)
    {
        var text = WithListen(port ?? Port, config);
        if (!byRename)
        {
            await File.WriteAllTextAsync(_configPath, text);
            return;
        }
        var temporary = _configPath + ".new";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, _configPath, overwrite: true);
    }

    /// <summary>Sends SIGHUP (directly, not through a kill process, so it arrives at once).</summary>
    public void Reload() => Signal(SigHup);

    /// <summary>Sends <paramref name="signal"/> (a Linux signal number) to the gateway.</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// The message of an error-log line ("stderr: 2026-12-03T10:04:05.123Z [notice] config reloaded: ..." gives
    /// "config reloaded: ..."); any other line as it is.
    /// </summary>
    public static string Message(string line)
    {
        var match = ErrorLogPrefix().Match(line);
        return match.Success ? line[match.Length..] : line;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(stderr: )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[[a-z]+\] ")]
    private static partial System.Text.RegularExpressions.Regex ErrorLogPrefix();

    /// <summary>How many output lines have arrived; pass it to <see cref="WaitForLineAsync"/> to look only at later ones.</summary>
    public int LineCount => Lines.Count;

    /// <summary>The first line from index <paramref name="from"/> on that matches; fails the test after the timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int from = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Lines.Skip(from).FirstOrDefault(match) is { } line) return line;
            if (DateTime.UtcNow > deadline || _process.HasExited)
                throw new TimeoutException("no such line in fastgate's output:\n" + string.Join("\n", Lines));
            await Task.Delay(20);
        }
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException("fastgate exited: " + string.Join("\n", Lines));
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("fastgate did not accept connections: " + string.Join("\n", Lines));
    }

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public void Terminate()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        File.Delete(_configPath);
        File.Delete(_configPath + ".new");
    }
}
