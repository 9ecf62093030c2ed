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

    /// <summary>Requests currently being forwarded to this destination.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnRequestStart() => Interlocked.Increment(ref _inFlight);

    public void OnRequestEnd() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Gets no new requests: <see cref="Retired"/>, or drained by an operator (<see cref="AdminDraining"/>).</summary>
    public bool Draining => _retired || _adminDraining;

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
