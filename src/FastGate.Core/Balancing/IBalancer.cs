using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>Picks one destination of a cluster for a request. Implementations are lock-free and allocate nothing.</summary>
public interface IBalancer
{
    /// <summary>The name used in config.toml (<c>balancer = "..."</c>).</summary>
    string Name { get; }

    /// <summary>Returns a destination, or null when the cluster has none.</summary>
    DestinationState? Pick(DestinationState[] destinations);
}
