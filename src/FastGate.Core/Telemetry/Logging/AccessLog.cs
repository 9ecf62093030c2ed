using FastGate.Configuration;
using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>A running access log: its settings and the sink its lines go through.</summary>
internal sealed class AccessLog(AccessLogOptions options, Action<string> report) : IDisposable
{
    private readonly LogSink _sink = new("fastgate access log",
        new LogOutput(options.Output ?? throw new ArgumentException("the access log is off", nameof(options))), options.BufferBytes, report);

    public AccessLogOptions Options { get; } = options;

    public long Dropped => _sink.Dropped;

    /// <summary>Formats the exchange's line into this thread's scratch buffer and queues it; dropped and counted when the buffer is full.</summary>
    public void Write(ExchangeContext context)
    {
        var line = new LineBuilder(LogScratch.Buffer);
        var now = DateTime.UtcNow;
        if (Options.Format == AccessLogFormat.Json) JsonAccessLine.Format(context, now, ref line);
        else CombinedAccessLine.Format(context, now, ref line);
        if (!line.Overflowed) _sink.TryWrite(line.Line);
    }

    public void Reopen() => _sink.Reopen();

    public void Dispose() => _sink.Dispose();
}
