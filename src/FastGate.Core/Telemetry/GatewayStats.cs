namespace FastGate.Telemetry;

/// <summary>Process-wide counters the proxy loop bumps with one interlocked add each.</summary>
public sealed class GatewayStats
{
    private long _requests;
    private int _connections;

    /// <summary>Request heads parsed (answered by the upstream or by the gateway itself).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public int OpenConnections => Volatile.Read(ref _connections);

    /// <summary>Req/s over the last seconds, from readings of <see cref="Requests"/> (<see cref="RateSampler"/>).</summary>
    public RequestRate Rate { get; } = new();

    /// <summary>The access and error logs, for their drop counts in /metrics and /admin/stats; null when none run.</summary>
    public Logging.GatewayLogs? Logs { get; init; }

    public void OnRequest() => Interlocked.Increment(ref _requests);

    public void OnConnectionOpened() => Interlocked.Increment(ref _connections);

    public void OnConnectionClosed() => Interlocked.Decrement(ref _connections);
}
