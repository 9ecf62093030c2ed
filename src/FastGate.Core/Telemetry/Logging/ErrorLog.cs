using System.Text;
using FastGate.Configuration;
using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// The error log (<c>[telemetry] log_level, error_log, error_log_format</c>): what went wrong with requests and
/// upstreams, and the process's own messages, as plain or JSON lines through a <see cref="LogSink"/>. A line below
/// the level costs one comparison; exchange events also pass the <see cref="LogRateLimiter"/>, and neither check
/// allocates. A reload may change all three settings: a new output gets a new sink, the old one is drained and closed.
/// </summary>
internal sealed class ErrorLog : IDisposable
{
    private const int BufferBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly LogRateLimiter _limiter = new();
    private volatile ErrorLogOptions _options;
    private volatile LogSink _sink;
    private long _retiredDropped;

    public ErrorLog(ErrorLogOptions options)
    {
        _options = options;
        _sink = NewSink(options.Output);
    }

    public ErrorLogOptions Options => _options;

    /// <summary>Lines lost because the buffer was full or the output failed.</summary>
    public long Dropped => Interlocked.Read(ref _retiredDropped) + _sink.Dropped;

    /// <summary>Lines the rate limit held back (each counted in a "repeated N times" line).</summary>
    public long Suppressed => _limiter.Suppressed;

    public bool IsEnabled(ErrorLogLevel level) => level >= _options.Level;

    /// <summary>Takes new settings; a changed output gets a new sink and the old one is drained and closed in the background.</summary>
    public void Apply(ErrorLogOptions options)
    {
        lock (_lock)
        {
            var old = _options;
            _options = options;
            if (options.Output == old.Output) return;
            var retired = _sink;
            _sink = NewSink(options.Output);
            Task.Run(() =>
            {
                retired.Dispose();
                Interlocked.Add(ref _retiredDropped, retired.Dropped);
            });
        }
    }

    public void Reopen() => _sink.Reopen();

    /// <summary>A process message (off the hot path: it may allocate).</summary>
    public void Write(ErrorLogLevel level, string message)
    {
        if (!IsEnabled(level)) return;
        var bytes = Encoding.UTF8.GetBytes(message);
        var line = new LineBuilder(LogScratch.Buffer);
        var json = Begin(ref line, level);
        if (json) line.Append(",\"message\":\""u8);
        line.AppendEscaped(bytes, json ? LogEscape.Json : LogEscape.Text, line.Free - 8);
        line.Append(json ? "\"}\n"u8 : "\n"u8);
        Queue(line);
    }

    /// <summary>Phase 7: the line of an exchange that ended in trouble, when its level is on and its rate allows.</summary>
    public void Write(in ErrorEvent errorEvent, ExchangeContext context)
    {
        if (!IsEnabled(errorEvent.Level) || !_limiter.Admit(errorEvent)) return;
        var line = new LineBuilder(LogScratch.Buffer);
        if (Begin(ref line, errorEvent.Level))
        {
            ErrorEventLine.Json(ref line, errorEvent, context, 0);
            line.Append("}\n"u8);
        }
        else
        {
            ErrorEventLine.Plain(ref line, errorEvent, context, 0);
            line.Append((byte)'\n');
        }
        Queue(line);
    }

    /// <summary>The writer thread's turn: one "repeated N times" line for each kind+key the rate limit held back.</summary>
    private void WriteSummaries() => _limiter.CollectSummaries(this, static (log, errorEvent, count) => log.WriteSummary(errorEvent, count));

    private void WriteSummary(in ErrorEvent errorEvent, int count)
    {
        var line = new LineBuilder(LogScratch.Buffer);
        if (Begin(ref line, errorEvent.Level))
        {
            ErrorEventLine.Json(ref line, errorEvent, null, count);
            line.Append("}\n"u8);
        }
        else
        {
            line.Append("repeated "u8);
            line.Append(count);
            line.Append(" times: "u8);
            ErrorEventLine.Plain(ref line, errorEvent, null, count);
            line.Append((byte)'\n');
        }
        Queue(line);
    }

    /// <summary>Writes the time and level; true when the format is JSON (the object is then open after them).</summary>
    private bool Begin(ref LineBuilder line, ErrorLogLevel level)
    {
        var now = DateTime.UtcNow;
        if (_options.Format == ErrorLogFormat.Json)
        {
            line.Append("{\"time\":\""u8);
            line.AppendRfc3339(now);
            line.Append("\",\"level\":\""u8);
            line.Append(ErrorEvents.Levels[(int)level]);
            line.Append((byte)'"');
            return true;
        }
        line.AppendRfc3339(now);
        line.Append(" ["u8);
        line.Append(ErrorEvents.Levels[(int)level]);
        line.Append("] "u8);
        return false;
    }

    private void Queue(LineBuilder line)
    {
        if (!line.Overflowed) _sink.TryWrite(line.Line);
    }

    private LogSink NewSink(string output) =>
        new("fastgate error log", new LogOutput(output), BufferBytes, ReportToStderr, WriteSummaries);

    /// <summary>The error log's own trouble cannot go through itself.</summary>
    private static void ReportToStderr(string problem) => Console.Error.WriteLine($"fastgate: error log: {problem}");

    public void Dispose() => _sink.Dispose();
}
