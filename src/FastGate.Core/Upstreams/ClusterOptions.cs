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
    /// <summary>The longest pause between reads of a response body; null: the response timeout.</summary>
    public TimeSpan? BodyTimeout { get; init; }
    /// <summary>A deadline for the whole exchange, from its first byte; infinite: none.</summary>
    public TimeSpan RequestTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>These timeouts as one record (what routes without overrides use).</summary>
    public UpstreamTimeouts Timeouts => _timeouts ??= new(ConnectTimeout, ResponseTimeout, BodyTimeout ?? ResponseTimeout, RequestTimeout);
    private UpstreamTimeouts? _timeouts;
}
