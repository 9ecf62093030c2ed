using System.Net;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Transport;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>Binds the whole config tree into a <see cref="GatewaySnapshot"/>, collecting every error on the way.</summary>
internal sealed class SnapshotBuilder(ConfigReader reader)
{
    public static readonly IPEndPoint DefaultListener = new(IPAddress.Loopback, 8080);

    private IReadOnlyList<IPEndPoint> _listeners = [DefaultListener];
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _statsInterval;
    private bool _watchConfig;
    private TransportKind _transport = TransportSelection.PlatformDefault;
    private IReadOnlyList<IPNetwork> _trustedProxies = [];
    private HttpLimits _limits = HttpLimits.Default;
    private AdminOptions _admin = AdminOptions.Default;
    private TelemetryOptions _telemetry = TelemetryOptions.Default;
    private TracingOptions _tracing = TracingOptions.Default;
    private AccessLogOptions _accessLog = AccessLogOptions.Off;
    private ErrorLogOptions _errorLog = ErrorLogOptions.Default;
    private Caching.CacheOptions _cache = Caching.CacheOptions.Default;
    private readonly Dictionary<string, Cluster> _clusters = new(StringComparer.Ordinal);
    private readonly List<string> _declaredClusters = [];
    private readonly List<(Route Route, ConfigNode Node)> _routes = [];
    private readonly Dictionary<string, Policies.IPolicyDefinition> _policies = new(StringComparer.Ordinal);
    private readonly List<string> _declaredPolicies = [];

    public GatewaySnapshot? Build(ConfigNode root)
    {
        foreach (var (name, node) in root.Children)
        {
            if (Array.IndexOf(ConfigSchema.Sections, name) < 0)
                reader.Error(node, name, $"unknown section \"{name}\"{ConfigSchema.Suggest(name, ConfigSchema.Sections)}");
        }
        if (Section(root, ConfigSchema.Server) is { } server) BindServer(server);
        if (Section(root, ConfigSchema.Limits) is { } limits) BindLimits(limits);
        if (Section(root, ConfigSchema.Clusters) is { } clusters) BindClusters(clusters);
        if (Section(root, ConfigSchema.Policies) is { } policies) BindPolicies(policies);
        if (Section(root, ConfigSchema.Routes) is { } routes) BindRoutes(routes);
        if (Section(root, ConfigSchema.Admin) is { } admin) BindAdmin(admin);
        if (Section(root, ConfigSchema.Telemetry) is { } telemetry) BindTelemetry(telemetry);
        if (Section(root, ConfigSchema.Tracing) is { } tracing) _tracing = new TracingBinder(reader).Bind(tracing);
        if (Section(root, ConfigSchema.AccessLog) is { } accessLog) _accessLog = new LogBinder(reader).BindAccessLog(accessLog);
        if (Section(root, ConfigSchema.Cache) is { } cache) _cache = CacheBinder.BindSection(reader, cache);
        CheckSharedLimits();
        CheckDuplicateRoutes();
        if (reader.ErrorCount > 0) return null;

        var routeList = new List<Route>(_routes.Count);
        foreach (var (route, _) in _routes) routeList.Add(route);
        return new GatewaySnapshot
        {
            Listeners = _listeners,
            Limits = _limits,
            Routes = new RouteTable(routeList),
            Clusters = _clusters,
            TrustedProxies = _trustedProxies,
            DrainTimeout = _drainTimeout,
            StatsInterval = _statsInterval,
            WatchConfig = _watchConfig,
            Transport = _transport,
            Admin = _admin,
            Telemetry = _telemetry,
            Tracing = _tracing,
            AccessLog = _accessLog,
            ErrorLog = _errorLog,
            Cache = _cache,
            Policies = _policies,
        };
    }

    /// <summary>A shared rate limit keeps its budget in the cache's Redis: without <c>cache.redis</c> it has none.</summary>
    private void CheckSharedLimits()
    {
        if (_cache.Redis.Length > 0) return;
        foreach (var (name, policy) in _policies)
        {
            if (policy is Policies.RateLimiting.RateLimitDefinition { SharedSource: { } source })
                reader.Error(source, $"{ConfigSchema.Policies}.{name}.shared", "shared = true keeps the budget in Redis, and no Redis is configured: set cache.redis (e.g. \"127.0.0.1:6379\")");
        }
    }

    private ConfigNode? Section(ConfigNode root, string name) =>
        root.Children.TryGetValue(name, out var node) && reader.IsTable(node, name) ? node : null;

    private void BindServer(ConfigNode table)
    {
        const string s = ConfigSchema.Server;
        reader.CheckKeys(table, s, ConfigSchema.ServerKeys);
        var children = table.Children;
        if (children.TryGetValue("listen", out var node) && reader.TryStringList(node, $"{s}.listen", out var addresses))
        {
            var listeners = new List<IPEndPoint>();
            foreach (var (address, source) in addresses)
            {
                if (!AddressParser.TryParseListen(address, out var endPoint, out var error))
                    reader.Error(source, $"{s}.listen", $"bad address \"{address}\": {error}");
                else if (endPoint.Port != 0 && listeners.Contains(endPoint))
                    reader.Error(source, $"{s}.listen", $"duplicate listen address \"{address}\"");
                else
                    listeners.Add(endPoint);
            }
            if (addresses.Count == 0) reader.Error(node, $"{s}.listen", "at least one listen address is required");
            _listeners = listeners;
        }
        if (children.TryGetValue("drain_timeout", out node) && reader.TryDuration(node, $"{s}.drain_timeout", true, out var drain))
            _drainTimeout = drain;
        if (children.TryGetValue("stats_interval", out node) && reader.TryDuration(node, $"{s}.stats_interval", true, out var stats))
            _statsInterval = stats;
        if (children.TryGetValue("watch_config", out node) && reader.TryBool(node, $"{s}.watch_config", out var watch))
            _watchConfig = watch;
        if (children.TryGetValue("transport", out node) && reader.TryString(node, $"{s}.transport", out var transport))
        {
            if (transport == "sockets") _transport = TransportKind.Sockets;
            else if (transport is not ("epoll" or "io_uring"))
                reader.Error(node, $"{s}.transport", $"unknown transport \"{transport}\" (expected \"epoll\", \"io_uring\" or \"sockets\")");
            else if (!OperatingSystem.IsLinux()) reader.Error(node, $"{s}.transport", $"the {transport} transport needs Linux");
            else _transport = transport == "epoll" ? TransportKind.Epoll : TransportKind.IoUring;
        }
        if (children.TryGetValue("escaped_slashes", out node) && reader.TryString(node, $"{s}.escaped_slashes", out var escaped))
        {
            if (PathOptions.TryParseEscapedSlashes(escaped, out var handling)) _limits = _limits with { EscapedSlashes = handling };
            else reader.Error(node, $"{s}.escaped_slashes", $"unknown value \"{escaped}\" (expected \"reject\", \"keep\" or \"decode\")");
        }
        if (children.TryGetValue("merge_slashes", out node) && reader.TryBool(node, $"{s}.merge_slashes", out var merge))
            _limits = _limits with { MergeSlashes = merge };
        if (children.TryGetValue("trusted_proxies", out node) && reader.TryStringList(node, $"{s}.trusted_proxies", out var networks))
        {
            var proxies = new List<IPNetwork>();
            foreach (var (text, source) in networks)
            {
                if (AddressParser.TryParseNetwork(text, out var network)) proxies.Add(network);
                else reader.Error(source, $"{s}.trusted_proxies", $"bad CIDR \"{text}\" (expected an IP or a network such as \"10.0.0.0/8\")");
            }
            _trustedProxies = proxies;
        }
    }

    private void BindAdmin(ConfigNode table)
    {
        const string s = ConfigSchema.Admin;
        reader.CheckKeys(table, s, ConfigSchema.AdminKeys);
        var children = table.Children;
        var listen = _admin.Listen;
        if (children.TryGetValue("listen", out var node) && reader.TryString(node, $"{s}.listen", out var address))
        {
            if (address is "" or "off") listen = null;
            else if (AddressParser.TryParseListen(address, out var endPoint, out var error)) listen = endPoint;
            else reader.Error(node, $"{s}.listen", $"bad address \"{address}\": {error} (or \"off\")");
        }
        var token = _admin.Token;
        if (children.TryGetValue("token", out node) && reader.TryString(node, $"{s}.token", out var text))
        {
            if (text.Any(c => c <= ' ' || c >= 0x7f)) reader.Error(node, $"{s}.token", "the token must be printable ASCII without spaces");
            else token = text;
        }
        _admin = new AdminOptions(listen, token);
    }

    private void BindTelemetry(ConfigNode table)
    {
        const string s = ConfigSchema.Telemetry;
        reader.CheckKeys(table, s, ConfigSchema.TelemetryKeys);
        _errorLog = new LogBinder(reader).BindErrorLog(table);
        if (table.Children.TryGetValue("request_id_header", out var node) && reader.TryString(node, $"{s}.request_id_header", out var name))
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(name);
            var known = KnownHeaders.Lookup(bytes);
            if (name.Length > 0 && !HttpChars.IsToken(bytes))
                reader.Error(node, $"{s}.request_id_header", $"\"{name}\" is not a header name (letters, digits and !#$%&'*+-.^_`|~; \"\" turns request IDs off)");
            else if (known != KnownHeader.None)
                reader.Error(node, $"{s}.request_id_header", $"\"{name}\" is a header the gateway handles itself; choose another name");
            else _telemetry = new TelemetryOptions(name);
        }
    }

    private void BindLimits(ConfigNode table)
    {
        const string s = ConfigSchema.Limits;
        reader.CheckKeys(table, s, ConfigSchema.LimitsKeys);
        var children = table.Children;
        var limits = _limits;
        if (children.TryGetValue("max_request_line", out var node) && reader.TrySize(node, $"{s}.max_request_line", 64, int.MaxValue, out var size))
            limits = limits with { MaxRequestLineBytes = (int)size };
        if (children.TryGetValue("max_header_bytes", out node) && reader.TrySize(node, $"{s}.max_header_bytes", 64, int.MaxValue, out size))
            limits = limits with { MaxHeaderBytes = (int)size };
        if (children.TryGetValue("max_response_header_bytes", out node) && reader.TrySize(node, $"{s}.max_response_header_bytes", 64, int.MaxValue, out size))
            limits = limits with { MaxResponseHeaderBytes = (int)size };
        if (children.TryGetValue("max_header_count", out node) && reader.TryInt(node, $"{s}.max_header_count", 1, 10_000, out var count))
            limits = limits with { MaxHeaderCount = count };
        if (children.TryGetValue("max_request_body", out node) && reader.TrySize(node, $"{s}.max_request_body", 0, long.MaxValue, out size))
            limits = limits with { MaxRequestBodyBytes = size == 0 ? -1 : size };
        if (children.TryGetValue("header_timeout", out node) && reader.TryDuration(node, $"{s}.header_timeout", false, out var timeout))
            limits = limits with { HeaderTimeout = timeout };
        if (children.TryGetValue("keepalive_timeout", out node) && reader.TryDuration(node, $"{s}.keepalive_timeout", false, out timeout))
            limits = limits with { KeepAliveTimeout = timeout };
        if (children.TryGetValue("send_timeout", out node) && reader.TryDuration(node, $"{s}.send_timeout", false, out timeout))
            limits = limits with { SendTimeout = timeout };
        _limits = BindBuffering(children, limits);
    }

    /// <summary>The [limits] keys of response buffering and spooling, request buffering and lingering close.</summary>
    private HttpLimits BindBuffering(OrderedDictionary<string, ConfigNode> children, HttpLimits limits)
    {
        const string s = ConfigSchema.Limits;
        if (children.TryGetValue("response_buffer", out var node) && reader.TrySize(node, $"{s}.response_buffer", 0, 64 << 20, out var size))
            limits = limits with { ResponseBuffer = (int)size };
        if (children.TryGetValue("spool", out node) && reader.TryBool(node, $"{s}.spool", out var spool))
            limits = limits with { Spool = spool };
        if (children.TryGetValue("spool_dir", out node) && reader.TryString(node, $"{s}.spool_dir", out var directory))
        {
            if (Directory.Exists(directory)) limits = limits with { SpoolDirectory = directory };
            else reader.Error(node, $"{s}.spool_dir", $"directory \"{directory}\" does not exist");
        }
        if (children.TryGetValue("max_spool_per_response", out node) && reader.TrySize(node, $"{s}.max_spool_per_response", 0, long.MaxValue, out size))
            limits = limits with { MaxSpoolPerResponse = size };
        if (children.TryGetValue("max_spool_total", out node) && reader.TrySize(node, $"{s}.max_spool_total", 0, long.MaxValue, out size))
            limits = limits with { MaxSpoolTotal = size };
        // The transport pauses reading a connection at this much unread input, so more could never arrive.
        if (children.TryGetValue("request_buffer", out node) && reader.TrySize(node, $"{s}.request_buffer", 0, Transport.EpollConnection.ClientReadLimit, out size))
            limits = limits with { RequestBuffer = (int)size };
        if (children.TryGetValue("min_request_body_rate", out node) && reader.TrySize(node, $"{s}.min_request_body_rate", 0, int.MaxValue, out size))
            limits = limits with { MinRequestBodyRate = (int)size };
        if (children.TryGetValue("min_request_body_rate_grace", out node) && reader.TryDuration(node, $"{s}.min_request_body_rate_grace", true, out var timeout))
            limits = limits with { MinRequestBodyRateGrace = timeout };
        if (children.TryGetValue("lingering_time", out node) && reader.TryDuration(node, $"{s}.lingering_time", true, out timeout))
            limits = limits with { LingeringTime = timeout };
        if (children.TryGetValue("lingering_timeout", out node) && reader.TryDuration(node, $"{s}.lingering_timeout", false, out timeout))
            limits = limits with { LingeringTimeout = timeout };
        if (children.TryGetValue("max_lingering_bytes", out node) && reader.TrySize(node, $"{s}.max_lingering_bytes", 0, long.MaxValue, out size))
            limits = limits with { MaxLingeringBytes = size };
        return limits;
    }

    private void BindClusters(ConfigNode section)
    {
        foreach (var (name, node) in section.Children)
        {
            _declaredClusters.Add(name);
            if (!reader.IsTable(node, $"{ConfigSchema.Clusters}.{name}")) continue;
            if (ClusterBinder.Bind(reader, name, node) is { } cluster) _clusters[name] = cluster;
        }
    }

    private void BindPolicies(ConfigNode section)
    {
        foreach (var (name, node) in section.Children)
        {
            _declaredPolicies.Add(name);
            if (!reader.IsTable(node, $"{ConfigSchema.Policies}.{name}")) continue;
            if (Policies.PolicyBinder.Bind(reader, name, node) is { } policy) _policies[name] = policy;
        }
    }

    private void BindRoutes(ConfigNode section)
    {
        foreach (var (name, node) in section.Children)
        {
            if (!reader.IsTable(node, $"{ConfigSchema.Routes}.{name}")) continue;
            if (RouteBinder.Bind(reader, name, node, _declaredClusters, _clusters, _declaredPolicies, _policies) is { } route) _routes.Add((route, node));
        }
    }

    private void CheckDuplicateRoutes()
    {
        var routes = new List<Route>(_routes.Count);
        foreach (var (route, _) in _routes) routes.Add(route);
        foreach (var conflict in RouteTable.FindConflicts(routes))
        {
            // Report on the route declared later; the earlier one reads as the original.
            var first = _routes.FindIndex(r => r.Route == conflict.First);
            var second = _routes.FindIndex(r => r.Route == conflict.Second);
            var (original, duplicate) = first < second ? (_routes[first], _routes[second]) : (_routes[second], _routes[first]);
            reader.Error(duplicate.Node, $"{ConfigSchema.Routes}.{duplicate.Route.Name}",
                $"duplicate route: same host, path and methods as route \"{original.Route.Name}\"");
        }
    }
}
