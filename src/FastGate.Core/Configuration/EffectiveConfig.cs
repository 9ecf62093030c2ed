using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FastGate.Balancing;
using FastGate.Http;
using FastGate.Resilience;
using FastGate.Routing;
using FastGate.Telemetry.Tracing;
using FastGate.Transport;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>
/// A snapshot as config.toml would write it, for <c>/admin/config</c>: every section with every key's effective
/// value (defaults filled in, environment overrides applied; durations and sizes in config syntax, "30s",
/// "64KiB"), then clusters and routes by name (routes in match order). Secrets (<see cref="ConfigSchema.IsSecret"/>)
/// show as <see cref="Mask"/> when set, and a URL's user and password as well, whatever its key.
/// </summary>
public static class EffectiveConfig
{
    public const string Mask = "***";

    public static JsonObject Describe(GatewaySnapshot snapshot)
    {
        var clusters = new JsonObject();
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal)) clusters[cluster.Name] = Cluster(cluster);
        var routes = new JsonObject();
        foreach (var route in snapshot.Routes.Routes) routes[route.Name] = Route(route);
        var policies = new JsonObject();
        foreach (var policy in snapshot.Policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal)) policies[policy.Name] = policy.Describe();
        return new JsonObject
        {
            [ConfigSchema.Server] = Server(snapshot),
            [ConfigSchema.Limits] = Limits(snapshot.Limits),
            [ConfigSchema.Admin] = Admin(snapshot.Admin),
            [ConfigSchema.Telemetry] = new Table(ConfigSchema.Telemetry).Add("request_id_header", snapshot.Telemetry.RequestIdHeader)
                .Add("log_level", Telemetry.Logging.ErrorEvents.LevelName(snapshot.ErrorLog.Level))
                .Add("error_log", snapshot.ErrorLog.Output)
                .Add("error_log_format", snapshot.ErrorLog.Format == Telemetry.Logging.ErrorLogFormat.Json ? "json" : "plain")
                .Node,
            [ConfigSchema.Tracing] = Tracing(snapshot.Tracing),
            [ConfigSchema.AccessLog] = new Table(ConfigSchema.AccessLog)
                .Add("output", snapshot.AccessLog.Output ?? "off")
                .Add("format", snapshot.AccessLog.Format == Telemetry.Logging.AccessLogFormat.Json ? "json" : "combined")
                .Add("buffer", SizeParser.Format(snapshot.AccessLog.BufferBytes))
                .Node,
            [ConfigSchema.Cache] = new Table(ConfigSchema.Cache)
                .Add("memory", SizeParser.Format(snapshot.Cache.MemoryBytes))
                .Add("status_header", snapshot.Cache.StatusHeader)
                .Add("eviction", snapshot.Cache.Eviction)
                .Add("redis", snapshot.Cache.Redis)
                .Add("namespace", snapshot.Cache.Namespace)
                .Add("redis_timeout", DurationParser.Format(snapshot.Cache.RedisTimeout))
                .Add("redis_breaker_consecutive_failures", snapshot.Cache.RedisBreakerFailures)
                .Add("redis_breaker_open_duration", DurationParser.Format(snapshot.Cache.RedisBreakerOpenDuration))
                .Node,
            [ConfigSchema.Clusters] = clusters,
            [ConfigSchema.Routes] = routes,
            [ConfigSchema.Policies] = policies,
        };
    }

    private static JsonObject Server(GatewaySnapshot s) => new Table(ConfigSchema.Server)
        .Add("listen", List(s.Listeners.Select(l => l.ToString())))
        .Add("drain_timeout", DurationParser.Format(s.DrainTimeout))
        .Add("trusted_proxies", List(s.TrustedProxies.Select(p => p.ToString())))
        .Add("stats_interval", DurationParser.Format(s.StatsInterval))
        .Add("transport", TransportSelection.Name(s.Transport))
        .Add("watch_config", s.WatchConfig)
        .Add("escaped_slashes", PathOptions.Format(s.Limits.EscapedSlashes))
        .Add("merge_slashes", s.Limits.MergeSlashes)
        .Node;

    private static JsonObject Limits(HttpLimits l) => new Table(ConfigSchema.Limits)
        .Add("max_request_line", SizeParser.Format(l.MaxRequestLineBytes))
        .Add("max_header_bytes", SizeParser.Format(l.MaxHeaderBytes))
        .Add("max_header_count", l.MaxHeaderCount)
        .Add("max_request_body", SizeParser.Format(Math.Max(0, l.MaxRequestBodyBytes)))
        .Add("header_timeout", DurationParser.Format(l.HeaderTimeout))
        .Add("keepalive_timeout", DurationParser.Format(l.KeepAliveTimeout))
        .Add("max_response_header_bytes", SizeParser.Format(l.MaxResponseHeaderBytes))
        .Add("send_timeout", DurationParser.Format(l.SendTimeout))
        .Add("response_buffer", SizeParser.Format(l.ResponseBuffer))
        .Add("spool", l.Spool)
        .Add("spool_dir", l.SpoolDirectory)
        .Add("max_spool_per_response", SizeParser.Format(l.MaxSpoolPerResponse))
        .Add("max_spool_total", SizeParser.Format(l.MaxSpoolTotal))
        .Add("request_buffer", SizeParser.Format(l.RequestBuffer))
        .Add("min_request_body_rate", l.MinRequestBodyRate)
        .Add("min_request_body_rate_grace", DurationParser.Format(l.MinRequestBodyRateGrace))
        .Add("lingering_time", DurationParser.Format(l.LingeringTime))
        .Add("lingering_timeout", DurationParser.Format(l.LingeringTimeout))
        .Add("max_lingering_bytes", SizeParser.Format(l.MaxLingeringBytes))
        .Node;

    private static JsonObject Admin(AdminOptions a) => new Table(ConfigSchema.Admin)
        .Add("listen", a.Listen?.ToString() ?? "off")
        .Add("token", a.Token)
        .Node;

    private static JsonObject Tracing(TracingOptions t) => new Table(ConfigSchema.Tracing)
        .Add("sampler", t.Sampler switch
        {
            AlwaysSampler => AlwaysSampler.ConfigName,
            RatioSampler => RatioSampler.ConfigName,
            ParentRatioSampler => ParentRatioSampler.ConfigName,
            RateLimitedSampler => RateLimitedSampler.ConfigName,
            _ => NeverSampler.ConfigName,
        })
        .Add("ratio", t.Ratio)
        .Add("rate", t.Rate)
        .Add("exporter", t.Exporter switch
        {
            TraceExporterKind.OtlpGrpc => "otlp_grpc",
            TraceExporterKind.Zipkin => "zipkin",
            _ => "otlp_http",
        })
        .Add("endpoint", t.Endpoint.OriginalString)
        .Add("service_name", t.ServiceName)
        .Add("export_interval", DurationParser.Format(t.ExportInterval))
        .Add("max_queue", t.MaxQueue)
        .Node;

    /// <summary>Destinations as "host:port", or as <c>{ address, weight }</c> tables when a weight is not 1; sticky and retry null when not set.</summary>
    private static JsonObject Cluster(Cluster c) => new Table(ConfigSchema.Clusters)
        .Add("destinations", c.Destinations.All(d => d.Weight == 1)
            ? List(c.Destinations.Select(d => d.Address))
            : new JsonArray([.. c.Destinations.Select(d => (JsonNode?)new JsonObject { ["address"] = d.Address, ["weight"] = d.Weight })]))
        .Add("balancer", c.BalancerName)
        .Add("max_connections", c.Options.MaxConnectionsPerDestination)
        .Add("max_idle_connections", c.Options.MaxIdleConnectionsPerDestination)
        .Add("idle_timeout", DurationParser.Format(c.Options.IdleTimeout))
        .Add("connect_timeout", DurationParser.Format(c.Options.ConnectTimeout))
        .Add("response_timeout", DurationParser.Format(c.Options.ResponseTimeout))
        .Add("body_timeout", DurationParser.Format(c.Options.Timeouts.Body))
        .Add("request_timeout", Timeout(c.Options.Timeouts.Request))
        .Add("sticky", c.Affinity is { } sticky ? Sticky(sticky) : null)
        .Add("retry", c.Retry is { } retry ? Retry(retry) : null)
        .Add("bulkhead", c.Bulkhead is { } b ? new Table($"{ConfigSchema.Clusters}.bulkhead")
            .Add("max_concurrent", b.MaxConcurrent).Add("max_queue", b.MaxQueue).Add("queue_timeout", DurationParser.Format(b.QueueTimeout)).Node : null)
        .Add("panic_threshold", c.PanicThreshold)
        .Add("dns_refresh", DurationParser.Format(c.DnsRefresh))
        .Add("health", c.Health is { } health ? Health(health) : null)
        .Add("outlier", c.Outlier is { } o ? new Table($"{ConfigSchema.Clusters}.outlier")
            .Add("consecutive_failures", o.ConsecutiveFailures).Add("base_ejection", DurationParser.Format(o.BaseEjection))
            .Add("max_ejection", DurationParser.Format(o.MaxEjection)).Add("max_ejection_percent", o.MaxEjectionPercent).Node : null)
        .Add("circuit_breaker", c.CircuitBreaker is { } cb ? new Table($"{ConfigSchema.Clusters}.circuit_breaker")
            .Add("failure_rate", cb.FailureRate).Add("window", DurationParser.Format(cb.Window)).Add("min_requests", cb.MinRequests)
            .Add("open_duration", DurationParser.Format(cb.OpenDuration)).Add("half_open_requests", cb.HalfOpenRequests).Node : null)
        .Node;

    /// <summary>Every key of <c>health</c>; the HTTP-only ones null for a TCP check.</summary>
    private static JsonObject Health(FastGate.Health.HealthCheckPolicy h) => new Table($"{ConfigSchema.Clusters}.health")
        .Add("type", h.Type)
        .Add("path", h.IsHttp ? h.Path : null)
        .Add("method", h.IsHttp ? h.Method : null)
        .Add("host", h.IsHttp ? h.Host : null)
        .Add("interval", DurationParser.Format(h.Interval))
        .Add("jitter", DurationParser.Format(h.Jitter))
        .Add("timeout", DurationParser.Format(h.Timeout))
        .Add("healthy_threshold", h.HealthyThreshold)
        .Add("unhealthy_threshold", h.UnhealthyThreshold)
        .Add("expect_status", h.IsHttp ? h.ExpectStatus : null)
        .Add("expect_body", h.IsHttp ? h.ExpectBody : null)
        .Add("slow_start", DurationParser.Format(h.SlowStart))
        .Node;

    private static JsonObject Sticky(SessionAffinity s) => new Table($"{ConfigSchema.Clusters}.sticky")
        .Add("mode", s.Mode == AffinityMode.Header ? "header" : "cookie")
        .Add("cookie", s.Mode == AffinityMode.Cookie ? s.Name : null)
        .Add("header", s.Mode == AffinityMode.Header ? s.Name : null)
        .Add("on_failure", s.OnFailure == AffinityFailure.Error ? "error" : "redistribute")
        .Add("secret", s.HasSecret ? Mask : "")
        .Node;

    private static JsonObject Retry(RetryPolicy r)
    {
        var on = new List<string>();
        if (r.OnConnectFailure) on.Add("connect_failure");
        if (r.OnReset) on.Add("reset");
        for (var status = 500; status <= 599; status++)
        {
            if (r.RetriesStatus(status)) on.Add(status.ToString(CultureInfo.InvariantCulture));
        }
        return new Table($"{ConfigSchema.Clusters}.retry")
            .Add("attempts", r.Attempts)
            .Add("on", List(on))
            .Add("methods", List(SnapshotSummary.MethodNames(r.Methods)))
            .Add("backoff", DurationParser.Format(r.Backoff))
            .Add("max_backoff", DurationParser.Format(r.MaxBackoff))
            .Add("max_body", SizeParser.Format(r.MaxBody))
            .Add("budget_percent", r.BudgetPercent)
            .Node;
    }

    /// <summary>Optional keys a route leaves out are null: any host, any method, no prefix.</summary>
    private static JsonObject RouteCache(Caching.RouteCacheOptions c) => new Table($"{ConfigSchema.Routes}.cache")
        .Add("enabled", c.Enabled)
        .Add("default_ttl", DurationParser.Format(c.DefaultTtl))
        .Add("max_ttl", DurationParser.Format(c.MaxTtl))
        .Add("max_object_size", SizeParser.Format(c.MaxObjectSize))
        .Add("key_query", c.KeyQuery is { } query ? List(query) : null)
        .Add("key_headers", List(c.KeyHeaders))
        .Add("store_set_cookie", c.StoreSetCookie)
        .Node;

    private static JsonObject Route(Route r) => new Table(ConfigSchema.Routes)
        .Add("cluster", r.Cluster.Name)
        .Add("path", r.Path)
        .Add("host", r.Host)
        .Add("methods", r.Methods.IsAny ? null : List(SnapshotSummary.MethodNames(r.Methods)))
        .Add("strip_prefix", r.StripPrefix.Length == 0 ? null : Encoding.ASCII.GetString(r.StripPrefix))
        .Add("add_prefix", r.AddPrefix.Length == 0 ? null : Encoding.ASCII.GetString(r.AddPrefix))
        .Add("host_header", r.HostHeader switch
        {
            HostHeaderMode.Destination => "destination",
            HostHeaderMode.Fixed => Encoding.ASCII.GetString(r.FixedHost),
            _ => "keep",
        })
        .Add("connect_timeout", DurationParser.Format(r.Timeouts.Connect))
        .Add("response_timeout", DurationParser.Format(r.Timeouts.Response))
        .Add("body_timeout", DurationParser.Format(r.Timeouts.Body))
        .Add("cache", r.CacheOptions is { } c ? RouteCache(c) : null)
        .Add("request_timeout", Timeout(r.Timeouts.Request))
        .Add("policies", r.Policies.Names.Length == 0 ? null : List(r.Policies.Names))
        .Node;

    /// <summary>A timeout that may be infinite: null (not set) then.</summary>
    private static string? Timeout(TimeSpan value) => value == System.Threading.Timeout.InfiniteTimeSpan ? null : DurationParser.Format(value);

    /// <summary>
    /// The error with every quoted value in its message masked when its key is a secret, so a binder that quotes
    /// what it refused cannot show a secret.
    /// </summary>
    public static ConfigError Redact(ConfigError error)
    {
        var dot = error.Key.IndexOf('.');
        if (dot < 0 || !ConfigSchema.IsSecret(error.Key[..dot], error.Key[(error.Key.LastIndexOf('.') + 1)..])) return error;
        var message = new StringBuilder();
        var quoted = false;
        foreach (var part in error.Message.Split('"'))
        {
            if (quoted) message.Append('"').Append(Mask).Append('"');
            else message.Append(part);
            quoted = !quoted;
        }
        return error with { Message = message.ToString() };
    }

    private static JsonArray List(IEnumerable<string> items) => [.. items.Select(i => (JsonNode?)JsonValue.Create(i))];

    /// <summary>"scheme://***@host/..." for a URL with a user (and password); anything else as it is.</summary>
    internal static string MaskUserInfo(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0) return value;
        var authority = scheme + 3;
        var at = value.IndexOf('@', authority);
        var end = value.IndexOfAny(['/', '?', '#'], authority);
        return at < 0 || (end >= 0 && at > end) ? value : string.Concat(value.AsSpan(0, authority), Mask, value.AsSpan(at));
    }

    /// <summary>One section's (or entry's) keys, each masked on the way in when it is a secret.</summary>
    private sealed class Table(string section)
    {
        public JsonObject Node { get; } = [];

        public Table Add(string key, string? value)
        {
            Node[key] = value is null ? null
                : ConfigSchema.IsSecret(section, key) ? (value.Length == 0 ? "" : Mask)
                : MaskUserInfo(value);
            return this;
        }

        public Table Add(string key, JsonNode? value)
        {
            Node[key] = value is not null && ConfigSchema.IsSecret(section, key) ? Mask : value;
            return this;
        }

        public Table Add(string key, long value) => Add(key, (JsonNode)value);

        public Table Add(string key, double value) => Add(key, (JsonNode)value);

        public Table Add(string key, bool value) => Add(key, (JsonNode)value);
    }
}
