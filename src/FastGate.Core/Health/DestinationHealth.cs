using FastGate.Telemetry.Logging;
using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary>
/// What the active health checks know of one destination: its status, the current runs of passes and failures, the
/// <see cref="HealthHistory"/> and counters. Kept (on <see cref="DestinationState.Health"/>) while the destination
/// and a health config for it remain, across reloads and prober restarts; a status change marks the destination
/// down or up (<see cref="DownReasons.Unhealthy"/>), starts its slow start, is logged and published.
/// </summary>
public sealed class DestinationHealth
{
    private readonly Lock _lock = new();
    private readonly Action<HealthTransition> _publish;
    private volatile string _cluster;
    private volatile HealthCheckPolicy _policy;
    private HealthStatus _status = HealthStatus.Healthy;
    private int _passes;
    private int _failures;
    private long _checksOk;
    private long _checksFailed;
    private long _becameHealthy;
    private long _becameUnhealthy;
    private DateTimeOffset _since = DateTimeOffset.UtcNow;

    internal DestinationHealth(DestinationState destination, string cluster, HealthCheckPolicy policy, Action<HealthTransition> publish)
    {
        Destination = destination;
        _cluster = cluster;
        _policy = policy;
        _publish = publish;
    }

    public DestinationState Destination { get; }

    /// <summary>The cluster whose <c>health</c> config probes it (the first by name, when several list it).</summary>
    public string Cluster
    {
        get => _cluster;
        internal set => _cluster = value;
    }

    public HealthCheckPolicy Policy
    {
        get => _policy;
        internal set => _policy = value;
    }

    public HealthHistory History { get; } = new();

    public HealthStatus Status
    {
        get { lock (_lock) return _status; }
    }

    /// <summary>When <see cref="Status"/> last changed (or the checks began).</summary>
    public DateTimeOffset Since
    {
        get { lock (_lock) return _since; }
    }

    public int ConsecutivePasses
    {
        get { lock (_lock) return _passes; }
    }

    public int ConsecutiveFailures
    {
        get { lock (_lock) return _failures; }
    }

    public long ChecksOk => Interlocked.Read(ref _checksOk);
    public long ChecksFailed => Interlocked.Read(ref _checksFailed);
    public long BecameHealthy => Interlocked.Read(ref _becameHealthy);
    public long BecameUnhealthy => Interlocked.Read(ref _becameUnhealthy);

    /// <summary>A new policy starts its runs afresh; the status stays what it was.</summary>
    internal void Restart(HealthCheckPolicy policy)
    {
        lock (_lock)
        {
            _policy = policy;
            _passes = _failures = 0;
        }
    }

    /// <summary>Takes one probe's result: after exactly the threshold of passes or failures in a row, the status changes.</summary>
    internal void Record(ProbeResult result, TimeSpan latency)
    {
        var time = DateTimeOffset.UtcNow;
        History.Add(new HealthCheckRecord(time, result.Ok, result.Reason, latency));
        Interlocked.Increment(ref result.Ok ? ref _checksOk : ref _checksFailed);
        HealthTransition? transition = null;
        var policy = _policy;
        lock (_lock)
        {
            if (result.Ok)
            {
                _failures = 0;
                _passes++;
                if (_status == HealthStatus.Unhealthy && _passes >= policy.HealthyThreshold) transition = Change(HealthStatus.Healthy, time, result.Reason);
            }
            else
            {
                _passes = 0;
                _failures++;
                if (_status == HealthStatus.Healthy && _failures >= policy.UnhealthyThreshold) transition = Change(HealthStatus.Unhealthy, time, result.Reason);
            }
        }
        if (transition is not null) Apply(transition, policy);
    }

    private HealthTransition Change(HealthStatus to, DateTimeOffset time, string reason)
    {
        var from = _status;
        _status = to;
        _since = time;
        return new HealthTransition(_cluster, Destination, from, to, time, reason);
    }

    private void Apply(HealthTransition transition, HealthCheckPolicy policy)
    {
        var address = Destination.Config.Name;
        if (transition.To == HealthStatus.Unhealthy)
        {
            Interlocked.Increment(ref _becameUnhealthy);
            Destination.SetDown(DownReasons.Unhealthy, true);
            Log.Warn($"upstream {transition.Cluster} destination {address} is unhealthy: {policy.UnhealthyThreshold} {policy.Type} health checks failed in a row (last: {transition.Reason})");
        }
        else
        {
            Interlocked.Increment(ref _becameHealthy);
            Destination.SlowStart.Begin(policy.SlowStart);
            Destination.SetDown(DownReasons.Unhealthy, false);
            Log.Notice($"upstream {transition.Cluster} destination {address} is healthy again: {policy.HealthyThreshold} {policy.Type} health checks passed in a row"
                + (policy.SlowStart > TimeSpan.Zero ? $"; slow start over {Configuration.DurationParser.Format(policy.SlowStart)}" : ""));
        }
        _publish(transition);
    }

    /// <summary>Health checks no longer apply (the config dropped them): the destination is not held down for them any more.</summary>
    internal void Release() => Destination.SetDown(DownReasons.Unhealthy, false);
}
