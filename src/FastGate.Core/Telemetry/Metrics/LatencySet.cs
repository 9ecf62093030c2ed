using System.Diagnostics;
using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>The latency of each <see cref="LatencyPhase"/>, fed from an exchange's timestamps in one write.</summary>
public sealed class LatencySet
{
    public static readonly LatencyPhase[] Phases = Enum.GetValues<LatencyPhase>();

    private readonly LatencyRecorder _recorder = new(Phases.Length);
    private readonly LatencyHistogram[] _phases;

    public LatencySet()
    {
        _phases = new LatencyHistogram[Phases.Length];
        for (var i = 0; i < _phases.Length; i++) _phases[i] = new LatencyHistogram(_recorder, i);
    }

    public LatencyHistogram this[LatencyPhase phase] => _phases[(int)phase];

    /// <summary>Records each phase the exchange reached.</summary>
    internal void Record(ExchangeContext context)
    {
        using var writer = _recorder.BeginWrite();
        writer.Record((int)LatencyPhase.Total, Micros(context.StartedAt, context.CompletedAt));
        if (context.UpstreamConnectedAt == 0) return;
        writer.Record((int)LatencyPhase.Connect, Micros(context.RoutedAt, context.UpstreamConnectedAt));
        writer.Record((int)LatencyPhase.Upstream, Micros(context.UpstreamConnectedAt, context.CompletedAt));
        if (context.ResponseHeadAt != 0) writer.Record((int)LatencyPhase.FirstByte, Micros(context.StartedAt, context.ResponseHeadAt));
    }

    private static readonly long TicksPerMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    private static long Micros(long from, long to) => (to - from) / TicksPerMicrosecond;
}
