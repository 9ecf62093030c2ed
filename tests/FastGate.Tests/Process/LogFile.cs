using System.Text;

namespace FastGate.Tests.Process;

/// <summary>A log file in the temp directory that a test's gateway writes and the test polls; deleted with the test.</summary>
internal sealed class LogFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fastgate-log-{Guid.NewGuid():N}.log");

    /// <summary>The path as a TOML string.</summary>
    public string Toml => $"\"{Path}\"";

    /// <summary>The file's complete lines (its raw bytes read as UTF-8); none while it does not exist.</summary>
    public static List<string> ReadLines(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var text = reader.ReadToEnd();
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(lines.Count - 1); // after the last '\n', or an unfinished line
        return lines;
    }

    public List<string> Lines() => ReadLines(Path);

    /// <summary>Polls until the file holds at least <paramref name="count"/> lines; fails the test with what it holds after the timeout.</summary>
    public Task<List<string>> WaitForLinesAsync(int count, TimeSpan? timeout = null) => WaitForLinesAsync(Path, count, timeout);

    public static async Task<List<string>> WaitForLinesAsync(string path, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var lines = ReadLines(path);
            if (lines.Count >= count) return lines;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{path} has {lines.Count} line(s), expected {count}:\n{string.Join("\n", lines)}");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        File.Delete(Path);
        File.Delete(Path + ".1");
    }
}
