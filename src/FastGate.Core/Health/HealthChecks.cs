using FastGate.Telemetry.Logging;
using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary>
/// The active health checks of every destination, runtime state of the <see cref="UpstreamRuntime"/>: one
/// <see cref="HealthProber"/> per destination whose cluster has a <c>health</c> config (the first cluster by name,
/// when several list it), kept across reloads while the destination's state and the policy are unchanged,
/// restarted (status and history kept) when the policy changes, stopped when the destination or its health config
/// leaves. A destination added to a cluster that already ran starts in slow start. Status changes are published
/// to <see cref="Transitioned"/>.
/// </summary>
public sealed class HealthChecks : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DestinationState, HealthProber> _probers = [];
    private readonly Dictionary<string, HashSet<DestinationState>> _members = new(StringComparer.Ordinal);
    private readonly Action<HealthTransition> _publish;
    private IReadOnlyList<Cluster> _bound = [];
    private bool _disposed;

    public HealthChecks() => _publish = Publish;

    /// <summary>Raised on the prober's thread pool thread for every status change, after the destination's availability changed.</summary>
    public event Action<HealthTransition>? Transitioned;

    /// <summary>Destinations being probed now.</summary>
    public int Count
    {
        get { lock (_lock) return _probers.Count; }
    }

    /// <summary>The prober of <paramref name="destination"/>, or null (for tests: whether a reload kept or restarted it).</summary>
    internal HealthProber? ProberOf(DestinationState destination)
    {
        lock (_lock) return _probers.GetValueOrDefault(destination);
    }

    /// <summary>Reconciles the probers with a bound config's clusters (called by <see cref="UpstreamRuntime.Bind"/>).</summary>
    public void Bind(IReadOnlyList<Cluster> clusters)
    {
        lock (_lock)
        {
            if (_disposed) return;
            _bound = clusters;
            var wanted = new Dictionary<DestinationState, (string Cluster, HealthCheckPolicy Policy)>();
            foreach (var cluster in clusters.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                if (cluster.Health is not { } policy) continue;
                foreach (var state in cluster.State.Members) wanted.TryAdd(state, (cluster.Name, policy));
                if (_members.TryGetValue(cluster.Name, out var before))
                {
                    foreach (var state in cluster.State.Members)
                        if (!before.Contains(state)) state.SlowStart.Begin(policy.SlowStart);
                }
            }
            _members.Clear();
            foreach (var cluster in clusters) _members[cluster.Name] = [.. cluster.State.Members];

            foreach (var (state, prober) in _probers.ToList())
            {
                if (wanted.TryGetValue(state, out var want) && want.Policy == prober.Policy)
                {
                    prober.Health.Cluster = want.Cluster;
                    continue;
                }
                prober.Dispose();
                _probers.Remove(state);
                if (!wanted.ContainsKey(state))
                {
                    prober.Health.Release();
                    state.Health = null;
                }
            }
            foreach (var (state, (cluster, policy)) in wanted)
            {
                if (_probers.ContainsKey(state)) continue;
                var health = state.Health;
                if (health is null) state.Health = health = new DestinationHealth(state, cluster, policy, _publish);
                else
                {
                    health.Cluster = cluster;
                    health.Restart(policy);
                }
                var prober = new HealthProber(health, policy);
                _probers.Add(state, prober);
                prober.Start();
            }
        }
    }

    /// <summary>A cluster's members changed without a reload (DNS refresh): the same reconcile over the live members.</summary>
    public void Refresh()
    {
        lock (_lock) Bind(_bound);
    }

    private void Publish(HealthTransition transition)
    {
        try { Transitioned?.Invoke(transition); }
        catch (Exception e) { Log.Error($"a health transition subscriber failed: {e.Message}"); }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var prober in _probers.Values) prober.Dispose();
            _probers.Clear();
        }
    }
}
