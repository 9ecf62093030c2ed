using System.Net;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Transport;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>
/// Everything the hot path reads, built from the config and swapped atomically on reload. Config only: its
/// clusters point at runtime state (<see cref="Cluster.State"/>) that <see cref="UpstreamRuntime.Bind"/> attaches
/// once, before the snapshot is published.
/// </summary>
public sealed class GatewaySnapshot
{
    public required IReadOnlyList<IPEndPoint> Listeners { get; init; }
    public required HttpLimits Limits { get; init; }
    public required IRouteTable Routes { get; init; }
    public required IReadOnlyDictionary<string, Cluster> Clusters { get; init; }
    /// <summary>Clients whose X-Forwarded-* headers are kept and appended to.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];
    /// <summary>How long a stopping gateway waits for in-flight requests.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often a statistics line is written to stdout; zero (the default) writes none.</summary>
    public TimeSpan StatsInterval { get; init; }
    /// <summary>Reload when the config file changes (<c>server.watch_config</c>).</summary>
    public bool WatchConfig { get; init; }
    /// <summary>1 for the config the gateway started with, one more for each successful reload; 0 until published.</summary>
    public int Version { get; internal set; }
    /// <summary>When this config was published (at start, or by the reload that applied it).</summary>
    public DateTimeOffset LoadedAt { get; internal set; }
    /// <summary>The socket transport for client and upstream connections.</summary>
    public TransportKind Transport { get; init; } = TransportSelection.PlatformDefault;
    /// <summary>The admin listener (its address needs a restart to change; its token is reloaded).</summary>
    public AdminOptions Admin { get; init; } = AdminOptions.Default;
    /// <summary>Request IDs (and, with later features, logs and traces).</summary>
    public TelemetryOptions Telemetry { get; init; } = TelemetryOptions.Default;
    public TracingOptions Tracing { get; init; } = TracingOptions.Default;
    /// <summary>The access log (<c>[access_log]</c>); a reload applies a change.</summary>
    public AccessLogOptions AccessLog { get; init; } = AccessLogOptions.Off;
    /// <summary>The error log's level, output and format (<c>[telemetry]</c>); a reload applies a change.</summary>
    public ErrorLogOptions ErrorLog { get; init; } = ErrorLogOptions.Default;
    /// <summary>The response cache's process-wide settings (<c>[cache]</c>); routes opt in with their own table.</summary>
    public Caching.CacheOptions Cache { get; init; } = Caching.CacheOptions.Default;
    /// <summary>The <c>[policies.NAME]</c> blocks, by name (routes hold them compiled; rate limits carry runtime state).</summary>
    public IReadOnlyDictionary<string, Policies.IPolicyDefinition> Policies { get; init; } = new Dictionary<string, Policies.IPolicyDefinition>();
}
