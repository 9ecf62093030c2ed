namespace FastGate.Upstreams;

/// <summary>
/// A named group of destinations behind one balancer, as configured: part of a snapshot. Its live side,
/// <see cref="State"/>, is attached once by <see cref="UpstreamRuntime.Bind"/> before the snapshot is used.
/// </summary>
public sealed class Cluster
{
    private ClusterState? _state;

    public Cluster(string name, Destination[] destinations, string balancerName, ClusterOptions options)
    {
        Name = name;
        Destinations = destinations;
        BalancerName = balancerName;
        Options = options;
    }

    public string Name { get; }
    public Destination[] Destinations { get; }
    /// <summary>The configured <c>balancer</c>, e.g. "round_robin".</summary>
    public string BalancerName { get; }
    public ClusterOptions Options { get; }
    /// <summary>Sticky sessions (<c>sticky</c>), or null.</summary>
    public Balancing.SessionAffinity? Affinity { get; init; }
    /// <summary>Retries (<c>retry</c>), or null: one attempt (and one more on a pooled connection found closed).</summary>
    public Resilience.RetryPolicy? Retry { get; init; }
    /// <summary>Concurrency limit (<c>bulkhead</c>), or null.</summary>
    public Resilience.BulkheadPolicy? Bulkhead { get; init; }
    /// <summary>Active health checks (<c>health</c>), or null: none.</summary>
    public Health.HealthCheckPolicy? Health { get; init; }
    /// <summary>Passive health (<c>outlier</c>), or null: no destination is ejected for its failures.</summary>
    public Resilience.OutlierPolicy? Outlier { get; init; }
    /// <summary>The destinations' circuit breakers (<c>circuit_breaker</c>), or null: none.</summary>
    public Resilience.CircuitBreakerPolicy? CircuitBreaker { get; init; }
    /// <summary>
    /// <c>panic_threshold</c>: the % of up destinations below which requests go to every non-draining one instead
    /// (0, the default: never; a cluster with none up answers 503).
    /// </summary>
    public int PanicThreshold { get; init; }
    /// <summary>
    /// <c>dns_refresh</c>: how often destinations given by host name are resolved again (and, at most that often, after a
    /// failed connect to one); zero: only when the config is loaded.
    /// </summary>
    public TimeSpan DnsRefresh { get; init; } = DefaultDnsRefresh;

    public static readonly TimeSpan DefaultDnsRefresh = TimeSpan.FromSeconds(30);

    public bool IsBound => _state is not null;

    /// <summary>The cluster's runtime state (balancer, available destinations), shared with every snapshot that names this cluster.</summary>
    public ClusterState State => _state ?? NotBound();

    /// <summary>The states of <see cref="Destinations"/>, in the same order, as bound for this snapshot.</summary>
    public DestinationState[] DestinationStates { get; private set; } = [];

    // Out of line, so the getter above stays small enough to inline on the hot path.
    private ClusterState NotBound() => throw new InvalidOperationException($"cluster \"{Name}\" is not bound to a runtime");

    internal void Bind(ClusterState state, DestinationState[] destinations)
    {
        if (_state is not null) throw new InvalidOperationException($"cluster \"{Name}\" is already bound");
        DestinationStates = destinations;
        _state = state;
    }
}
