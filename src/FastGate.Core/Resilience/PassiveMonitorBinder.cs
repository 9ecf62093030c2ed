using FastGate.Upstreams;

namespace FastGate.Resilience;

/// <summary>
/// Gives each destination of a new config its passive monitors (<see cref="OutlierDetector"/>,
/// <see cref="CircuitBreaker"/>), off the hot path, while <see cref="UpstreamRuntime.Bind"/> holds its lock. A
/// monitor whose settings are unchanged is kept, with its counts, ejection and breaker state; a changed one is
/// replaced by a fresh one; a destination no cluster watches any more loses it. A destination listed by several
/// clusters is watched once, with the settings of the first of them (in config order) that has <c>outlier</c>
/// (or <c>circuit_breaker</c>), and its ejections count against that cluster's <c>max_ejection_percent</c>.
/// </summary>
internal sealed class PassiveMonitorBinder(TimeProvider time)
{
    private readonly Dictionary<DestinationState, (string Cluster, OutlierPolicy Policy, EjectionBudget Budget)> _outlier = [];
    private readonly Dictionary<DestinationState, (string Cluster, CircuitBreakerPolicy Policy)> _breaker = [];
    private readonly HashSet<DestinationState> _members = [];
    private readonly HashSet<DestinationState> _formerMembers = [];

    /// <summary>
    /// One bound cluster: its config, live state and <paramref name="members"/> now (after a reload, or a DNS refresh
    /// that changed them); <paramref name="formerMembers"/> are the ones it had before.
    /// </summary>
    public void Add(Cluster cluster, ClusterState state, DestinationState[] members, DestinationState[] formerMembers)
    {
        if (cluster.Outlier is { } outlier) state.Ejections.Resize(members.Length, outlier.MaxEjectionPercent);
        foreach (var destination in members)
        {
            _members.Add(destination);
            if (cluster.Outlier is { } o) _outlier.TryAdd(destination, (cluster.Name, o, state.Ejections));
            if (cluster.CircuitBreaker is { } b) _breaker.TryAdd(destination, (cluster.Name, b));
        }
        _formerMembers.UnionWith(formerMembers);
    }

    /// <summary>Sets every destination's monitors; the replaced ones stop after the new ones are in place.</summary>
    public void Apply()
    {
        var stopped = new List<IDisposable>();
        foreach (var destination in _members) destination.Monitors = Reconcile(destination, stopped);
        foreach (var destination in _formerMembers.Where(d => !_members.Contains(d))) destination.Monitors = Reconcile(destination, stopped);
        foreach (var monitor in stopped) monitor.Dispose();
    }

    private IPassiveMonitor[] Reconcile(DestinationState destination, List<IDisposable> stopped)
    {
        var monitors = new List<IPassiveMonitor>();
        OutlierDetector? detector = null;
        CircuitBreaker? breaker = null;
        foreach (var monitor in destination.Monitors)
        {
            if (monitor is OutlierDetector d) detector = d;
            else if (monitor is CircuitBreaker b) breaker = b;
            else monitors.Add(monitor); // another kind's monitor: not ours to change
        }

        if (_outlier.TryGetValue(destination, out var o))
        {
            if (detector is null || detector.Policy != o.Policy || detector.Budget != o.Budget)
            {
                if (detector is not null) stopped.Add(detector);
                detector = new OutlierDetector(o.Policy, destination, o.Budget, o.Cluster, time);
            }
            monitors.Add(detector);
        }
        else if (detector is not null) stopped.Add(detector);

        if (_breaker.TryGetValue(destination, out var c))
        {
            if (breaker is null || breaker.Policy != c.Policy)
            {
                if (breaker is not null) stopped.Add(breaker);
                breaker = new CircuitBreaker(c.Policy, destination, c.Cluster, time);
            }
            monitors.Add(breaker);
        }
        else if (breaker is not null) stopped.Add(breaker);
        return [.. monitors];
    }
}
