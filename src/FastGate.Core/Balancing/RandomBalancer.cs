using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary><c>random</c>: a uniformly random available destination.</summary>
public sealed class RandomBalancer : IBalancer
{
    public const string ConfigName = "random";

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available) => available.Length switch
    {
        0 => null,
        1 => available[0],
        _ => available[Random.Shared.Next(available.Length)],
    };
}
