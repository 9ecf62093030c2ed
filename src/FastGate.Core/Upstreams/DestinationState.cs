using FastGate.Telemetry;

namespace FastGate.Upstreams;

/// <summary>
/// The live side of a destination: its connection pool and in-flight count, which survive reloads that keep the
/// destination's <see cref="DestinationKey"/>. Owned by the <see cref="DestinationRegistry"/>; balancers read
/// <see cref="InFlight"/>. Health, breaker and latency state belong here too when they exist.
/// </summary>
public sealed class DestinationState
{
    private int _inFlight;
    private volatile Destination _config;
    private volatile bool _draining;

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

    /// <summary>No cluster of the current config uses this destination; it is disposed once nothing does.</summary>
    public bool Draining => _draining;

    /// <summary>True when it drains and nothing uses it any more: no request in flight, no connection leased.</summary>
    internal bool IsDrained => _draining && InFlight == 0 && Pool.LeasedConnections == 0;

    internal void Use(Destination config)
    {
        _config = config;
        _draining = false;
    }

    internal void StartDraining() => _draining = true;

    public override string ToString() => Config.Address;
}
