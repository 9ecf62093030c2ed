using FastGate.Balancing;
using FastGate.Discovery;

namespace FastGate.Upstreams;

/// <summary>
/// The upstream state that lives across snapshots: the <see cref="DestinationRegistry"/> and one
/// <see cref="ClusterState"/> per cluster name. <see cref="Bind"/> attaches a validated config's clusters to it,
/// off the hot path; while any destination drains, a sweep disposes the ones that have drained (in steady state
/// nothing is swept, so no timer wakes the thread pool).
/// </summary>
public sealed class UpstreamRuntime : IDisposable
{
    public static readonly TimeSpan DrainSweepPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>The least time between two lookups of a cluster's host names triggered by failed connects.</summary>
    public static readonly TimeSpan EarlyRefreshInterval = TimeSpan.FromSeconds(5);

    private readonly Lock _bindLock = new();
    private readonly Dictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);
    private volatile ClusterState[] _clusterList = [];
    private readonly Action<DestinationState> _onAvailabilityChanged;
    private readonly Timer _drainSweep;
    private readonly TimeSpan _drainSweepPeriod;
    private readonly Dictionary<string, ClusterResolver> _resolvers = new(StringComparer.Ordinal);
    private readonly IHostResolver _hostResolver;
    private readonly TimeSpan _earlyRefreshInterval;
    private readonly Action<DestinationState> _onConnectFailed;

    public UpstreamRuntime() : this(DrainSweepPeriod) { }

    /// <param name="drainSweepPeriod">How often drained destinations are looked for while some drain; infinite leaves it to <see cref="DestinationRegistry.DisposeDrained"/> calls.</param>
    /// <param name="hostResolver">Looks host-name destinations up again (<see cref="SystemHostResolver"/> when null).</param>
    /// <param name="earlyRefreshInterval">The least time between lookups after failed connects (<see cref="EarlyRefreshInterval"/> when null).</param>
    internal UpstreamRuntime(TimeSpan drainSweepPeriod, IHostResolver? hostResolver = null, TimeSpan? earlyRefreshInterval = null)
    {
        _drainSweepPeriod = drainSweepPeriod;
        _hostResolver = hostResolver ?? SystemHostResolver.Instance;
        _earlyRefreshInterval = earlyRefreshInterval ?? EarlyRefreshInterval;
        _onAvailabilityChanged = RebuildClustersListing;
        _onConnectFailed = RefreshClustersListing;
        _drainSweep = new Timer(static s => ((UpstreamRuntime)s!).SweepDrained(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Disposes what has drained; the sweep stops once nothing drains (a reload that drains restarts it).</summary>
    private void SweepDrained()
    {
        lock (_bindLock)
        {
            Registry.DisposeDrained();
            if (Registry.DrainingCount == 0) _drainSweep.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public DestinationRegistry Registry { get; } = new();

    /// <summary>The active health checks of the bound destinations; subscribe to <see cref="Health.HealthChecks.Transitioned"/> for status changes.</summary>
    public Health.HealthChecks Health { get; } = new();

    /// <summary>The clock of the passive monitors' timers (ejections, open breakers); tests give a manual one.</summary>
    internal TimeProvider Time { get; init; } = TimeProvider.System;

    public bool TryGetCluster(string name, out ClusterState state)
    {
        lock (_bindLock) return _clusters.TryGetValue(name, out state!);
    }

    /// <summary>
    /// Reconciles the runtime with a new config: destinations whose key is unchanged keep their state and pool,
    /// new ones get fresh state, ones no cluster lists any more start draining. Each cluster keeps its
    /// <see cref="ClusterState"/> by name (and its balancer while the balancer name is unchanged).
    /// </summary>
    /// <remarks>
    /// A cluster the new config drops keeps its last <see cref="ClusterState.Available"/>: a request still routed
    /// by an older snapshot may reach it, and a draining destination still serves (unpooled once disposed).
    /// </remarks>
    public BindResult Bind(IEnumerable<Cluster> clusters)
    {
        lock (_bindLock)
        {
            var configs = clusters.ToList();
            if (configs.Find(c => c.IsBound) is { } twice) throw new InvalidOperationException($"cluster \"{twice.Name}\" is already bound");

            var inUse = new HashSet<DestinationState>();
            var added = 0;
            var states = new List<DestinationState[]>(configs.Count);
            foreach (var cluster in configs) states.Add(AcquireDestinations(MembersOf(cluster), cluster.Options, inUse, ref added));
            var removed = Registry.DrainAllExcept(inUse);

            var monitors = new Resilience.PassiveMonitorBinder(Time);
            for (var i = 0; i < configs.Count; i++)
            {
                var formerMembers = _clusters.TryGetValue(configs[i].Name, out var former) ? former.Members : [];
                BindCluster(configs[i], states[i]);
                monitors.Add(configs[i], configs[i].State, configs[i].State.Members, formerMembers);
            }
            monitors.Apply();
            ForgetClustersOtherThan(configs);
            _clusterList = [.. _clusters.Values];
            Health.Bind(configs);
            SweepWhileDraining();
            return new BindResult(added, removed);
        }
    }

    private void SweepWhileDraining()
    {
        if (Registry.DrainingCount > 0) _drainSweep.Change(_drainSweepPeriod, _drainSweepPeriod);
    }

    /// <summary>
    /// The destinations a cluster's config stands for: as configured, but a host name once per address it resolves to
    /// (what its <see cref="ClusterResolver"/>, made here for a cluster with host names, knows).
    /// </summary>
    private Destination[] MembersOf(Cluster cluster)
    {
        if (!_resolvers.TryGetValue(cluster.Name, out var resolver))
        {
            if (Array.TrueForAll(cluster.Destinations, d => d.HostName is null)) return cluster.Destinations;
            _resolvers[cluster.Name] = resolver = new ClusterResolver(cluster.Name, _hostResolver, _earlyRefreshInterval, OnResolved);
        }
        resolver.Bind(cluster);
        return resolver.Members();
    }

    /// <summary>
    /// A refresh's answers: when a name's addresses changed, the cluster's members are reconciled as in
    /// <see cref="Bind"/> (new addresses get fresh state, gone ones drain, unchanged ones keep theirs), under the bind
    /// lock, so a reload and a refresh never interleave.
    /// </summary>
    private void OnResolved(ClusterResolver resolver, HostResolution[] results)
    {
        lock (_bindLock)
        {
            if (!_resolvers.TryGetValue(resolver.ClusterName, out var current) || current != resolver
                || !_clusters.TryGetValue(resolver.ClusterName, out var cluster) || !resolver.Record(results)) return;
            var inUse = new HashSet<DestinationState>();
            foreach (var other in _clusters.Values)
            {
                if (other != cluster) inUse.UnionWith(other.Members);
            }
            var added = 0;
            var config = resolver.Config;
            var states = AcquireDestinations(resolver.Members(), config.Options, inUse, ref added);
            Registry.DrainAllExcept(inUse);
            var formerMembers = cluster.Members;
            cluster.UseMembers(states, config.PanicThreshold);
            // New addresses get passive monitors too (by this cluster's config alone: a refresh rebinds one cluster).
            var monitors = new Resilience.PassiveMonitorBinder(Time);
            monitors.Add(config, cluster, states, formerMembers);
            monitors.Apply();
            Health.Refresh();
            SweepWhileDraining();
        }
    }

    private DestinationState[] AcquireDestinations(Destination[] destinations, ClusterOptions options, HashSet<DestinationState> inUse, ref int added)
    {
        var states = new DestinationState[destinations.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = Registry.Acquire(destinations[i], options, out var isNew);
            states[i].AvailabilityChanged = _onAvailabilityChanged;
            if (destinations[i].HostName is not null) states[i].ConnectFailed = _onConnectFailed;
            if (isNew) added++;
            inUse.Add(states[i]);
        }
        return states;
    }

    private void BindCluster(Cluster config, DestinationState[] destinations)
    {
        if (_clusters.TryGetValue(config.Name, out var state))
        {
            state.UseBalancer(config.BalancerName);
            KeepAdminDrains(state.Members, destinations);
        }
        else _clusters[config.Name] = state = new ClusterState(config.Name, BalancerFactory.Create(config.BalancerName));
        state.Resolver = _resolvers.GetValueOrDefault(config.Name);
        state.UseMembers(destinations, config.PanicThreshold);
        state.UseBulkhead(config.Bulkhead);
        config.Bind(state, destinations);
    }

    /// <summary>
    /// A destination whose pool settings changed gets a new state: an operator's drain of the address in this
    /// cluster carries over to it, so a reload never sends traffic to a destination taken out by hand.
    /// </summary>
    private static void KeepAdminDrains(DestinationState[] before, DestinationState[] after)
    {
        foreach (var old in before)
        {
            if (!old.AdminDraining) continue;
            foreach (var next in after)
            {
                if (next != old && string.Equals(next.Config.Name, old.Config.Name, StringComparison.OrdinalIgnoreCase)) next.SetAdminDraining(true);
            }
        }
    }

    /// <summary>
    /// Drains (<paramref name="draining"/> true) or undrains one destination of a cluster of the current config,
    /// named by its address as resolved (<see cref="Destination.Name"/>) or as configured ("host:port": the first of a
    /// name's addresses): it leaves (or rejoins) the available set of
    /// every cluster that lists it, rebuilt here, off the hot path. Requests in flight to it finish.
    /// </summary>
    public DrainResult SetDraining(string cluster, string destination, bool draining, out DestinationState? state)
    {
        state = null;
        lock (_bindLock)
        {
            if (!_clusters.TryGetValue(cluster, out var clusterState)) return DrainResult.UnknownCluster;
            state = Array.Find(clusterState.Members, d => string.Equals(d.Config.Name, destination, StringComparison.OrdinalIgnoreCase))
                ?? Array.Find(clusterState.Members, d => string.Equals(d.Config.Address, destination, StringComparison.OrdinalIgnoreCase))
                ?? Array.Find(clusterState.Members, d => d.Config.EndPoint.ToString() == destination);
            if (state is null) return DrainResult.UnknownDestination;
            state.SetAdminDraining(draining);
            foreach (var member in _clusters.Values)
            {
                if (Array.IndexOf(member.Members, state) >= 0) member.RebuildAvailable();
            }
            return DrainResult.Done;
        }
    }

    /// <summary>
    /// A destination went down or came back (health, ejection, breaker): every cluster listing it rebuilds its
    /// available set now, on the thread that saw the change, without the bind lock (each rebuild has its own).
    /// </summary>
    private void RebuildClustersListing(DestinationState state)
    {
        foreach (var cluster in _clusterList)
        {
            if (Array.IndexOf(cluster.Members, state) >= 0) cluster.RebuildAvailable();
        }
    }

    /// <summary>
    /// A connect to a host-name destination failed: the clusters listing it look their names up again soon (each
    /// rate-limited by its resolver), in case the address moved.
    /// </summary>
    private void RefreshClustersListing(DestinationState state)
    {
        foreach (var cluster in _clusterList)
        {
            if (cluster.Resolver is { } resolver && Array.IndexOf(cluster.Members, state) >= 0) resolver.RefreshSoon();
        }
    }

    private void ForgetClustersOtherThan(List<Cluster> configs)
    {
        var names = configs.ConvertAll(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _clusters.Keys.Where(n => !names.Contains(n)).ToList()) _clusters.Remove(name);
        foreach (var name in _resolvers.Keys.Where(n => !names.Contains(n)).ToList())
        {
            _resolvers[name].Dispose();
            _resolvers.Remove(name);
        }
    }

    public void Dispose()
    {
        lock (_bindLock)
        {
            foreach (var resolver in _resolvers.Values) resolver.Dispose();
            _resolvers.Clear();
        }
        _drainSweep.Dispose();
        Health.Dispose();
        Registry.Dispose();
    }
}
