namespace FastGate.Upstreams;

/// <summary>Per-cluster connection pool and timeout settings.</summary>
public sealed record ClusterOptions
{
    public int MaxConnectionsPerDestination { get; init; } = 1024;
    /// <summary>Idle connections kept per destination; one returned beyond this is closed. 0 turns pooling off.</summary>
    public int MaxIdleConnectionsPerDestination { get; init; } = 64;
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Time allowed for the upstream's response head after the request was sent; expiry answers 504.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
