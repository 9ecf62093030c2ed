using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>Picks one destination of a cluster for a request. Implementations are lock-free and allocate nothing.</summary>
public interface IBalancer
{
    /// <summary>The name used in config.toml (<c>balancer = "..."</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Returns one of <paramref name="available"/> (the cluster's destinations that may take requests now), or null
    /// when it is empty. <paramref name="context"/> is the exchange being sent, for policies that look at the request
    /// or the client (hashing, affinity).
    /// </summary>
    DestinationState? Pick(ExchangeContext context, DestinationState[] available);
}
