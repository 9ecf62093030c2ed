using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary><c>random</c>: a uniformly random available destination; one in slow start is drawn again with probability 1 − its factor.</summary>
public sealed class RandomBalancer : IBalancer
{
    public const string ConfigName = "random";

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        if (available.Length <= 1) return available.Length == 0 ? null : available[0];
        for (var tries = 1; ; tries++)
        {
            var picked = available[Random.Shared.Next(available.Length)];
            if (tries == SlowStartSkips.MaxTries || picked.SlowStart.Admits()) return picked;
        }
    }
}
