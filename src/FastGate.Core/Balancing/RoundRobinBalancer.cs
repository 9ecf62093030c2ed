using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>round_robin</c>: each pick takes the next destination in turn; one in slow start is skipped for the next with
/// probability 1 − its factor, so its share is that of a weight scaled by the factor.
/// </summary>
public sealed class RoundRobinBalancer : IBalancer
{
    public const string ConfigName = "round_robin";

    private int _next = -1;

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        var count = available.Length;
        if (count == 0) return null;
        if (count == 1) return available[0];
        for (var tries = 1; ; tries++)
        {
            // uint keeps the index non-negative after the counter wraps.
            var n = (uint)Interlocked.Increment(ref _next);
            var picked = available[n % (uint)count];
            if (tries == SlowStartSkips.MaxTries || picked.SlowStart.Admits()) return picked;
        }
    }
}
