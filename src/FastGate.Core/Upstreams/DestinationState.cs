using FastGate.Telemetry;

namespace FastGate.Upstreams;

/// <summary>
/// The live side of a destination: its connection pool and in-flight count, which survive reloads that keep the
/// destination's <see cref="DestinationKey"/>. Owned by the <see cref="DestinationRegistry"/>; balancers read
/// <see cref="InFlight"/>. Health, breaker and latency state belong here too when they exist, as does an operator's
/// drain (<see cref="AdminDraining"/>): a reload that keeps the destination keeps it drained.
/// </summary>
public sealed class DestinationState
{
    private int _inFlight;
    private volatile Destination _config;
    private volatile bool _retired;
    private volatile bool _adminDraining;
    private int _down;
    private volatile IPassiveMonitor[] _monitors = [];

    public DestinationState(Destination config, ClusterOptions options)
    {
        Key = DestinationKey.For(config, options);
        _config = config;
        Pool = new UpstreamPool(this, options);
    }

    public DestinationKey Key { get; }

    /// <summary>The destination as the latest config that uses it wrote it.</summary>
    public Destination Config => _config;

    public UpstreamPool Pool { get; }

    /// <summary>Exchanges by outcome and latencies, kept while the destination is.</summary>
    public DestinationStats Stats { get; } = new();

    /// <summary>The peak-EWMA response latency, for <c>peak_ewma</c> (fed only when the cluster uses it).</summary>
    public Balancing.LatencyEwma Latency { get; } = new();

    /// <summary>The ramp of its share after it recovers or joins (<c>health.slow_start</c>), read by the balancers.</summary>
    public Health.SlowStart SlowStart { get; } = new();

    /// <summary>Its active health checks, or null when no cluster listing it has a <c>health</c> config.</summary>
    public Health.DestinationHealth? Health
    {
        get => _health;
        internal set => _health = value;
    }
    private volatile Health.DestinationHealth? _health;

    /// <summary>Requests currently being forwarded to this destination.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnRequestStart() => Interlocked.Increment(ref _inFlight);

    public void OnRequestEnd() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Gets no new requests: <see cref="Retired"/>, or drained by an operator (<see cref="AdminDraining"/>).</summary>
    public bool Draining => _retired || _adminDraining;

    /// <summary>Why it is out of the available sets besides draining (health, ejection, breaker); None when it is not.</summary>
    public DownReasons Down => (DownReasons)Volatile.Read(ref _down);

    /// <summary>May take new requests: neither draining nor down for any reason.</summary>
    public bool IsUp => !Draining && Volatile.Read(ref _down) == 0;

    /// <summary>
    /// Raised (on the thread that changed it) when <see cref="Down"/> changes, so the clusters that list the
    /// destination rebuild their available sets; set by the <see cref="UpstreamRuntime"/>.
    /// </summary>
    internal Action<DestinationState>? AvailabilityChanged { get; set; }

    /// <summary>Raised when an attempt could not connect, for a destination given by host name (its address may have moved); set by the <see cref="UpstreamRuntime"/>.</summary>
    internal Action<DestinationState>? ConnectFailed { get; set; }

    /// <summary>Sets or clears one reason for being down; returns whether <see cref="Down"/> changed.</summary>
    public bool SetDown(DownReasons reason, bool down)
    {
        int before, after;
        do
        {
            before = Volatile.Read(ref _down);
            after = down ? before | (int)reason : before & ~(int)reason;
            if (after == before) return false;
        } while (Interlocked.CompareExchange(ref _down, after, before) != before);
        AvailabilityChanged?.Invoke(this);
        return true;
    }

    /// <summary>The passive monitors (outlier detection, breaker) that hear of every attempt; set when a cluster is bound.</summary>
    public IPassiveMonitor[] Monitors
    {
        get => _monitors;
        internal set => _monitors = value;
    }

    /// <summary>Tells every passive monitor how an attempt at this destination ended, now; without monitors the clock is not read.</summary>
    public void ReportAttempt(AttemptResult result)
    {
        if (_monitors.Length > 0 || result == AttemptResult.ConnectFailure) ReportAttempt(result, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>Tells every passive monitor how an attempt at this destination ended, at <paramref name="timestamp"/>.</summary>
    public void ReportAttempt(AttemptResult result, long timestamp)
    {
        var monitors = _monitors;
        for (var i = 0; i < monitors.Length; i++) monitors[i].OnAttempt(this, result, timestamp);
        if (result == AttemptResult.ConnectFailure) ConnectFailed?.Invoke(this);
    }

    /// <summary>Whether every passive monitor lets an attempt go to this destination now (see <see cref="IPassiveMonitor.TryAdmit"/>).</summary>
    public bool TryAdmit()
    {
        var monitors = _monitors;
        for (var i = 0; i < monitors.Length; i++)
        {
            if (!monitors[i].TryAdmit(this)) return false;
        }
        return true;
    }

    /// <summary>No cluster of the current config uses this destination; it is disposed once nothing does.</summary>
    public bool Retired => _retired;

    /// <summary>
    /// Drained through <c>POST /admin/upstreams/{cluster}/{destination}/drain</c> until undrained: out of its
    /// clusters' available sets, and its pool keeps no connection (<see cref="UpstreamPool.StopPooling"/>).
    /// </summary>
    public bool AdminDraining => _adminDraining;

    /// <summary>True when it is retired and nothing uses it any more: no request in flight, no connection leased.</summary>
    internal bool IsDrained => _retired && InFlight == 0 && Pool.LeasedConnections == 0;

    internal void Use(Destination config)
    {
        _config = config;
        _retired = false;
    }

    internal void Retire() => _retired = true;

    /// <summary>Sets or clears the operator's drain; the caller rebuilds the available sets of the clusters that list it.</summary>
    internal void SetAdminDraining(bool draining)
    {
        _adminDraining = draining;
        if (draining) Pool.StopPooling();
        else Pool.ResumePooling();
    }

    public override string ToString() => Config.Address;
}
