using FastGate.Balancing;

namespace FastGate.Upstreams;

/// <summary>A named group of destinations behind one balancer.</summary>
public sealed class Cluster
{
    public Cluster(string name, Destination[] destinations, IBalancer balancer, ClusterOptions options)
    {
        Name = name;
        Destinations = destinations;
        Balancer = balancer;
        Options = options;
    }

    public string Name { get; }
    public Destination[] Destinations { get; }
    public IBalancer Balancer { get; }
    public ClusterOptions Options { get; }

    /// <summary>The destinations that may take requests now.</summary>
    public Destination[] Available => Destinations;
}
