using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// How the balancers that have no weight to scale apply a destination's <see cref="Health.SlowStart"/>: a pick of
/// one that is ramping is kept with probability its factor, else the balancer picks again (at most
/// <see cref="MaxTries"/> picks, the last kept whatever it is, so a set where all ramp still gets an answer; enough
/// tries that this last pick hardly adds to a ramping destination's share: 0.45⁸ of picks for one of two at 10 %).
/// </summary>
internal static class SlowStartSkips
{
    public const int MaxTries = 8;

    /// <summary>For power-of-two-choices: the winner, unless it is ramping and skipped while the runner-up is not.</summary>
    public static DestinationState Prefer(DestinationState winner, DestinationState runnerUp) =>
        winner.SlowStart.Admits() || !runnerUp.SlowStart.Admits() ? winner : runnerUp;
}
