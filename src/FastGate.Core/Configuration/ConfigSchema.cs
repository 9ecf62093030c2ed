namespace FastGate.Configuration;

/// <summary>The sections and keys config.toml accepts; used for unknown-key errors and environment overrides.</summary>
internal static class ConfigSchema
{
    public const string Server = "server";
    public const string Limits = "limits";
    public const string Clusters = "clusters";
    public const string Routes = "routes";
    public const string Admin = "admin";
    public const string Telemetry = "telemetry";
    public const string Tracing = "tracing";
    public const string AccessLog = "access_log";
    public const string Cache = "cache";
    public const string Policies = FastGate.Policies.PolicyBinder.Section;

    public static readonly string[] Sections = [Server, Limits, Clusters, Routes, Admin, Telemetry, Tracing, AccessLog, Cache, Policies];

    public static readonly string[] AdminKeys = ["listen", "token"];

    public static readonly string[] TelemetryKeys = ["request_id_header", "log_level", "error_log", "error_log_format"];

    public static readonly string[] AccessLogKeys = ["output", "format", "buffer"];

    public static readonly string[] TracingKeys =
        ["sampler", "ratio", "rate", "exporter", "endpoint", "service_name", "export_interval", "max_queue"];

    public static readonly string[] ServerKeys =
        ["listen", "drain_timeout", "trusted_proxies", "stats_interval", "transport", "watch_config", "escaped_slashes", "merge_slashes"];

    public static readonly string[] LimitsKeys =
    [
        "max_request_line", "max_header_bytes", "max_header_count", "max_request_body",
        "header_timeout", "keepalive_timeout", "max_response_header_bytes", "send_timeout",
        "response_buffer", "spool", "spool_dir", "max_spool_per_response", "max_spool_total", "request_buffer",
        "min_request_body_rate", "min_request_body_rate_grace", "lingering_time", "lingering_timeout", "max_lingering_bytes",
    ];

    public static readonly string[] ClusterKeys =
        [
            "destinations", "balancer", "max_connections", "max_idle_connections", "idle_timeout", "connect_timeout",
            "response_timeout", "body_timeout", "request_timeout", "sticky", "retry", "bulkhead", "panic_threshold",
            "dns_refresh", "health",
            "outlier", "circuit_breaker",
        ];

    public static readonly string[] RouteKeys =
        ["cluster", "path", "host", "methods", "strip_prefix", "add_prefix", "host_header", "cache", "policies", .. TimeoutBinder.Keys];

    /// <summary>
    /// Keys whose values are secrets, as "section.key" (for a named section, the key of every entry, and
    /// "section.table.key" for a key of an entry's table such as <c>sticky = { secret }</c>): the admin's
    /// <c>/admin/config</c> shows them as "***" (<see cref="EffectiveConfig"/>). A key named like a secret is one
    /// even without this mark (<see cref="IsSecret"/>); mark the rest here, e.g. a URL or connection string that
    /// carries a password.
    /// </summary>
    public static readonly string[] SecretKeys = ["admin.token", "cache.redis", "policies.secret", "clusters.sticky.secret"];

    private static readonly string[] SecretWords = ["token", "secret", "password", "passwd", "credentials", "apikey"];

    /// <summary>
    /// True for a secret: marked in <see cref="SecretKeys"/>, or named like one, so a secret added without the
    /// mark (a JWT <c>secret</c>, a Redis <c>password</c>) is still hidden: one of its "_" parts is token, secret,
    /// password, passwd, credentials or apikey, or it ends in api_key or private_key.
    /// </summary>
    public static bool IsSecret(string section, string key)
    {
        if (Array.IndexOf(SecretKeys, $"{section}.{key}") >= 0) return true;
        if (section == Policies && key is "allow_credentials" or "token_cookie") return false; // CORS's flag, a JWT cookie's name

        var name = key.ToLowerInvariant();
        if (name.EndsWith("api_key", StringComparison.Ordinal) || name.EndsWith("private_key", StringComparison.Ordinal)) return true;
        foreach (var part in name.Split('_'))
        {
            if (Array.IndexOf(SecretWords, part) >= 0) return true;
        }
        return false;
    }

    /// <summary>True for sections that hold named entries (<c>[clusters.NAME]</c>) rather than keys.</summary>
    public static bool IsNamedSection(string section) => section is Clusters or Routes or Policies;

    /// <summary>The keys of a plain section, or of one entry of a named section.</summary>
    public static string[] KeysOf(string section) => section switch
    {
        Server => ServerKeys,
        Limits => LimitsKeys,
        Clusters => ClusterKeys,
        Routes => RouteKeys,
        Admin => AdminKeys,
        Telemetry => TelemetryKeys,
        Tracing => TracingKeys,
        AccessLog => AccessLogKeys,
        Cache => CacheBinder.SectionKeys,
        Policies => FastGate.Policies.PolicyBinder.AllKeys,
        _ => [],
    };

    /// <summary>" (did you mean "x"?)" when a known name is close to <paramref name="name"/>, else "".</summary>
    public static string Suggest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(name.ToLowerInvariant(), candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3))
            ? $" (did you mean \"{best}\"?)"
            : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
