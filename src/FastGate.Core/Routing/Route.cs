using FastGate.Caching;
using FastGate.Http;
using FastGate.Policies;
using FastGate.Telemetry;
using FastGate.Upstreams;

namespace FastGate.Routing;

/// <summary>How the Host header is sent upstream.</summary>
public enum HostHeaderMode : byte
{
    /// <summary>Forward the client's Host unchanged (default).</summary>
    Keep,
    /// <summary>Send the destination's "host:port".</summary>
    Destination,
    /// <summary>Send a fixed value from the config.</summary>
    Fixed,
}

/// <summary>A compiled route: what it matches and where it sends. Immutable, part of a snapshot.</summary>
public sealed class Route
{
    public required string Name { get; init; }
    /// <summary>The name as ASCII bytes (for the <c>{route}</c> variable and rate-limit keys).</summary>
    public byte[] NameBytes => _nameBytes ??= System.Text.Encoding.UTF8.GetBytes(Name);
    private byte[]? _nameBytes;
    /// <summary>The host pattern as written: null for any, "example.com" or "*.example.com".</summary>
    public string? Host { get; init; }
    /// <summary>The path pattern as written, e.g. "/api/{**rest}".</summary>
    public required string Path { get; init; }
    public HttpMethodSet Methods { get; init; } = HttpMethodSet.Any;
    public required Cluster Cluster { get; init; }
    /// <summary>Prefix removed from the path before forwarding (ASCII bytes), or empty.</summary>
    public byte[] StripPrefix { get; init; } = [];
    /// <summary>Prefix added to the path before forwarding (ASCII bytes), or empty.</summary>
    public byte[] AddPrefix { get; init; } = [];
    public HostHeaderMode HostHeader { get; init; } = HostHeaderMode.Keep;
    /// <summary>The Host value sent when <see cref="HostHeader"/> is <see cref="HostHeaderMode.Fixed"/>.</summary>
    public byte[] FixedHost { get; init; } = [];
    /// <summary>Request policies (phase 3) and response policies (phase 6), compiled at load.</summary>
    public RoutePolicies Policies { get; init; } = RoutePolicies.None;
    /// <summary>The route's <c>[routes.NAME.cache]</c> table as configured, or null.</summary>
    public RouteCacheOptions? CacheOptions { get; init; }
    /// <summary>The route's cache (phase 4), or null when it has none; compiled from <see cref="CacheOptions"/> when the config is bound.</summary>
    public ICacheHook? Cache { get; internal set; }
    /// <summary>The route's counters and latencies (runtime state kept across reloads by name); null until bound.</summary>
    public RouteStats? Stats { get; internal set; }

    /// <summary>The upstream timeouts of this route: its cluster's, with the route's own overrides (set at load).</summary>
    public UpstreamTimeouts Timeouts
    {
        get => _timeouts ?? Cluster.Options.Timeouts;
        init => _timeouts = value;
    }
    private readonly UpstreamTimeouts? _timeouts;
}
