using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>What one destination has served: exchanges by how their attempt ended, and the latency of each phase.
/// Lives in the destination's runtime state, so it survives reloads that keep the destination.</summary>
public sealed class DestinationStats
{
    private readonly StripedCounters _outcomes = new(AttemptOutcome.Count);

    public LatencySet Latency { get; } = new();

    public long Outcomes(int outcome) => _outcomes.Read(outcome);

    /// <summary>An attempt that was retried elsewhere: its outcome is counted here, its latency is not.</summary>
    internal void RecordRetriedAttempt(ProxyError error) => _outcomes.Increment(AttemptOutcome.Of(error));

    internal void Record(ExchangeContext context)
    {
        _outcomes.Increment(AttemptOutcome.Of(context.Error));
        Latency.Record(context);
    }
}
