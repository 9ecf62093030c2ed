using System.Text;
using FastGate.Caching;
using FastGate.Http;

namespace FastGate.Configuration;

/// <summary>Binds the <c>[cache]</c> section and a route's <c>[routes.NAME.cache]</c> table.</summary>
internal static class CacheBinder
{
    internal static readonly string[] SectionKeys = ["memory", "status_header", "eviction", "redis", "namespace", "redis_timeout", "redis_breaker_consecutive_failures", "redis_breaker_open_duration"];

    internal static readonly string[] RouteKeys =
        ["enabled", "default_ttl", "max_ttl", "max_object_size", "key_query", "key_headers", "store_set_cookie"];

    private static readonly string[] Evictions = [S3FifoEviction.ConfigName, LruEviction.ConfigName];

    public static CacheOptions BindSection(ConfigReader reader, ConfigNode table)
    {
        const string s = ConfigSchema.Cache;
        reader.CheckKeys(table, s, SectionKeys);
        var children = table.Children;
        var defaults = CacheOptions.Default;
        var memory = defaults.MemoryBytes;
        if (children.TryGetValue("memory", out var node) && reader.TrySize(node, $"{s}.memory", 0, long.MaxValue, out var size)) memory = size;
        var header = defaults.StatusHeader;
        if (children.TryGetValue("status_header", out node) && reader.TryString(node, $"{s}.status_header", out var name))
        {
            var bytes = Encoding.ASCII.GetBytes(name);
            if (name.Length > 0 && !HttpChars.IsToken(bytes))
                reader.Error(node, $"{s}.status_header", $"\"{name}\" is not a header name (\"\" turns the header off)");
            else if (KnownHeaders.Lookup(bytes) != KnownHeader.None || Ascii(name, "age") || Ascii(name, "content-length"))
                reader.Error(node, $"{s}.status_header", $"\"{name}\" is a header the gateway handles itself; choose another name");
            else header = name;
        }
        var eviction = defaults.Eviction;
        if (children.TryGetValue("eviction", out node) && reader.TryString(node, $"{s}.eviction", out var policy))
        {
            if (Array.IndexOf(Evictions, policy) >= 0) eviction = policy;
            else reader.Error(node, $"{s}.eviction", $"unknown eviction \"{policy}\" (expected \"s3fifo\" or \"lru\")");
        }
        var redis = defaults.Redis;
        if (children.TryGetValue("redis", out node) && reader.TryString(node, $"{s}.redis", out var text))
        {
            if (RedisError(text) is { } error) reader.Error(node, $"{s}.redis", error);
            else redis = text.Trim();
        }
        var ns = defaults.Namespace;
        if (children.TryGetValue("namespace", out node) && reader.TryString(node, $"{s}.namespace", out text))
        {
            // Braces would make a Redis Cluster hash tag of the namespace; a space would split a purge message.
            if (text.Length == 0 || text.Length > 64 || text.AsSpan().IndexOfAny("{} \t\r\n") >= 0)
                reader.Error(node, $"{s}.namespace", $"\"{text}\" is not a namespace (1 to 64 characters, no braces or spaces)");
            else ns = text;
        }
        var timeout = CacheOptions.DefaultRedisTimeout;
        if (children.TryGetValue("redis_timeout", out node) && reader.TryDuration(node, $"{s}.redis_timeout", false, out var duration))
        {
            if (duration > TimeSpan.FromSeconds(10)) reader.Error(node, $"{s}.redis_timeout", "longer than 10s: a request waits this long for a slow Redis");
            else timeout = duration;
        }
        var failures = CacheOptions.DefaultRedisBreakerFailures;
        if (children.TryGetValue("redis_breaker_consecutive_failures", out node)
            && reader.TryInt(node, $"{s}.redis_breaker_consecutive_failures", 1, 1_000_000, out var count)) failures = count;
        var open = CacheOptions.DefaultRedisBreakerOpenDuration;
        if (children.TryGetValue("redis_breaker_open_duration", out node) && reader.TryDuration(node, $"{s}.redis_breaker_open_duration", false, out duration))
        {
            if (duration > TimeSpan.FromHours(1)) reader.Error(node, $"{s}.redis_breaker_open_duration", "longer than 1h: L2 would stay skipped that long after a blip");
            else open = duration;
        }
        return new CacheOptions(memory, header, eviction, redis, ns)
        {
            RedisTimeout = timeout, RedisBreakerFailures = failures, RedisBreakerOpenDuration = open,
        };
    }

    public static RouteCacheOptions? BindRoute(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, RouteKeys, "{ enabled = true, default_ttl = \"60s\", max_ttl = \"1h\", max_object_size = \"1MiB\" }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;
        var options = new RouteCacheOptions();
        if (children.TryGetValue("enabled", out var child) && reader.TryBool(child, $"{key}.enabled", out var enabled)) options = options with { Enabled = enabled };
        if (children.TryGetValue("default_ttl", out child) && reader.TryDuration(child, $"{key}.default_ttl", true, out var ttl)) options = options with { DefaultTtl = ttl };
        if (children.TryGetValue("max_ttl", out child) && reader.TryDuration(child, $"{key}.max_ttl", false, out ttl)) options = options with { MaxTtl = ttl };
        if (options.DefaultTtl > options.MaxTtl)
            reader.Error(children.TryGetValue("default_ttl", out child) ? child : node, $"{key}.default_ttl", "default_ttl is longer than max_ttl");
        if (children.TryGetValue("max_object_size", out child) && reader.TrySize(child, $"{key}.max_object_size", 0, int.MaxValue, out var size))
            options = options with { MaxObjectSize = size };
        if (children.TryGetValue("key_query", out child) && reader.TryStringList(child, $"{key}.key_query", out var names))
        {
            var query = new List<string>();
            foreach (var (name, source) in names)
            {
                if (name.Length == 0 || name.AsSpan().IndexOfAny("&=#? ") >= 0 || !IsVisibleAscii(name))
                    reader.Error(source, $"{key}.key_query", $"invalid query parameter name \"{name}\"");
                else if (!query.Contains(name)) query.Add(name);
            }
            query.Sort(StringComparer.Ordinal);
            options = options with { KeyQuery = [.. query] };
        }
        if (children.TryGetValue("key_headers", out child) && reader.TryStringList(child, $"{key}.key_headers", out names))
        {
            var headers = new List<string>();
            foreach (var (name, source) in names)
            {
                if (!HttpChars.IsToken(Encoding.ASCII.GetBytes(name)) || !IsVisibleAscii(name))
                    reader.Error(source, $"{key}.key_headers", $"\"{name}\" is not a header name");
                else if (!headers.Contains(name.ToLowerInvariant())) headers.Add(name.ToLowerInvariant());
            }
            options = options with { KeyHeaders = [.. headers] };
        }
        if (children.TryGetValue("store_set_cookie", out child) && reader.TryBool(child, $"{key}.store_set_cookie", out var cookie))
            options = options with { StoreSetCookie = cookie };
        return reader.ErrorCount != before ? null : options;
    }

    /// <summary>Why a <c>redis</c> value is no StackExchange.Redis configuration ("host:port[,host:port][,option=value]"), or null.</summary>
    private static string? RedisError(string text)
    {
        if (text.Trim().Length == 0) return null;
        try
        {
            var options = StackExchange.Redis.ConfigurationOptions.Parse(text);
            return options.EndPoints.Count == 0 ? "names no Redis endpoint (expected \"host:port\" or a StackExchange.Redis configuration string)" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            return $"not a Redis configuration: {ex.Message}";
        }
    }

    private static bool Ascii(string name, string other) => string.Equals(name, other, StringComparison.OrdinalIgnoreCase);

    private static bool IsVisibleAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or >= (char)0x7f) return false;
        }
        return true;
    }
}
