using System.Diagnostics;
using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>One <see cref="LatencyHistogram"/> per <see cref="LatencyPhase"/>, fed from an exchange's timestamps.</summary>
public sealed class LatencySet
{
    public static readonly LatencyPhase[] Phases = Enum.GetValues<LatencyPhase>();

    private readonly LatencyHistogram[] _phases = [new(), new(), new(), new()];

    public LatencyHistogram this[LatencyPhase phase] => _phases[(int)phase];

    /// <summary>Records each phase the exchange reached.</summary>
    internal void Record(ExchangeContext context)
    {
        _phases[(int)LatencyPhase.Total].Record(Micros(context.StartedAt, context.CompletedAt));
        if (context.UpstreamConnectedAt == 0) return;
        _phases[(int)LatencyPhase.Connect].Record(Micros(context.RoutedAt, context.UpstreamConnectedAt));
        _phases[(int)LatencyPhase.Upstream].Record(Micros(context.UpstreamConnectedAt, context.CompletedAt));
        if (context.ResponseHeadAt != 0) _phases[(int)LatencyPhase.FirstByte].Record(Micros(context.StartedAt, context.ResponseHeadAt));
    }

    private static readonly long TicksPerMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    private static long Micros(long from, long to) => (to - from) / TicksPerMicrosecond;
}
