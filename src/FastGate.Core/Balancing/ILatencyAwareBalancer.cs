namespace FastGate.Balancing;

/// <summary>
/// A balancer that wants each attempt's latency: the exchange records it into the destination's
/// <see cref="LatencyEwma"/> (<see cref="Upstreams.DestinationState.Latency"/>) only when the cluster's balancer is one,
/// so other clusters pay nothing for it.
/// </summary>
public interface ILatencyAwareBalancer : IBalancer
{
    /// <summary>What a failed attempt (refused, reset, timed out) counts as: a second, which steers traffic away for a while.</summary>
    public const double FailureMicros = 1_000_000;
}
