using FastGate.Balancing;

namespace FastGate.Upstreams;

/// <summary>
/// The live side of a cluster, kept by name across reloads: its balancer (which carries cursors) and the
/// destinations requests may go to. The hot path reads each with one volatile read; both are replaced, never
/// changed in place, off the hot path.
/// </summary>
public sealed class ClusterState
{
    private volatile IBalancer _balancer;
    private volatile DestinationState[] _members = [];
    private volatile DestinationState[] _available = [];
    private readonly Lock _rebuildLock = new();
    private volatile bool _panicking;
    private int _panicThreshold;

    public ClusterState(string name, IBalancer balancer)
    {
        Name = name;
        _balancer = balancer;
    }

    public string Name { get; }

    /// <summary>The bulkhead of the cluster's current config, or null when it has none.</summary>
    public Resilience.Bulkhead? Bulkhead => _bulkhead;
    private volatile Resilience.Bulkhead? _bulkhead;

    /// <summary>Keeps the bulkhead (and who is in it) while its limits are unchanged, else starts a new one.</summary>
    internal void UseBulkhead(Resilience.BulkheadPolicy? policy)
    {
        if (policy != _bulkhead?.Policy) _bulkhead = policy is null ? null : new Resilience.Bulkhead(policy);
    }

    /// <summary>How many members outlier detection may eject at once (<c>outlier.max_ejection_percent</c>).</summary>
    public Resilience.EjectionBudget Ejections { get; } = new();

    /// <summary>The retry budget (used when the cluster's config has a retry policy).</summary>
    public Resilience.RetryBudget RetryBudget { get; } = new();

    public IBalancer Balancer => _balancer;

    /// <summary>Keeps the cluster's host-name destinations resolved; null when its config has never had one.</summary>
    public Discovery.ClusterResolver? Resolver { get; internal set; }

    /// <summary>The states of every destination the cluster's latest config lists.</summary>
    public DestinationState[] Members => _members;

    /// <summary>
    /// The destinations a request may be sent to now: every member that is up (not draining, unhealthy, ejected or
    /// breaker-open); in panic, every member that is not draining.
    /// </summary>
    public DestinationState[] Available => _available;

    /// <summary>
    /// True while fewer than <c>panic_threshold</c> % of the non-draining members are up, so that requests go to all of
    /// them rather than be refused (as Envoy's panic threshold).
    /// </summary>
    public bool Panicking => _panicking;

    /// <summary>Keeps the balancer (and its cursor) when the configured name is unchanged, else starts a new one.</summary>
    internal void UseBalancer(string name)
    {
        if (_balancer.Name != name) _balancer = BalancerFactory.Create(name);
    }

    internal void UseMembers(DestinationState[] members, int panicThreshold)
    {
        _panicThreshold = panicThreshold;
        _members = members;
        RebuildAvailable();
    }

    /// <summary>Recomputes <see cref="Available"/>; called when a member's state changes (off the hot path, from any thread).</summary>
    internal void RebuildAvailable()
    {
        lock (_rebuildLock)
        {
            var members = _members;
            var serving = Array.FindAll(members, d => !d.Draining);
            var up = serving.Length == 0 ? serving : Array.FindAll(serving, d => d.IsUp);
            var panicking = up.Length < serving.Length && up.Length * 100L < (long)_panicThreshold * serving.Length;
            _panicking = panicking;
            _available = panicking ? serving : up;
        }
    }
}
