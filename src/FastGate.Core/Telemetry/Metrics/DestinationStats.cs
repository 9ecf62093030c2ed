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

    /// <summary>Every attempt at this destination counted, whatever its outcome (retried ones too).</summary>
    public long TotalAttempts => _outcomes.ReadAll();

    /// <summary>Attempts per second over the last seconds, from readings of <see cref="TotalAttempts"/> (<see cref="RateSampler"/>).</summary>
    public RequestRate Rate { get; } = new();

    internal void Record(ExchangeContext context)
    {
        _outcomes.Increment(AttemptOutcome.Of(context.Error));
        Latency.Record(context);
    }
}
