using FastGate.Caching;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Caching;

/// <summary><c>[cache]</c> and <c>[routes.NAME.cache]</c>: the TOML, defaults, and errors naming line and key.</summary>
public class CacheConfigTests
{
    private const string Route = "[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\n\n[routes.api]\npath = \"/{**rest}\"\ncluster = \"backend\"\n";

    [Fact]
    public void The_documented_config_binds()
    {
        var snapshot = Valid(Route + """

            [routes.api.cache]
            enabled = true
            default_ttl = "60s"
            max_ttl = "1h"
            max_object_size = "1MiB"
            key_query = ["sort", "page"]
            key_headers = ["Accept-Language"]

            [cache]
            memory = "256MiB"
            redis = ""
            namespace = "fastgate"
            status_header = "X-Cache"
            """);
        Assert.Equal(new CacheOptions(256L << 20, "X-Cache", "s3fifo", "", "fastgate"), snapshot.Cache);
        var options = snapshot.Routes.Routes[0].CacheOptions!;
        Assert.True(options.Enabled);
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), 1L << 20), (options.DefaultTtl, options.MaxTtl, options.MaxObjectSize));
        Assert.Equal(["page", "sort"], options.KeyQuery!);
        Assert.Equal(["accept-language"], options.KeyHeaders);
        Assert.False(options.StoreSetCookie);
        var summary = FastGate.Configuration.SnapshotSummary.Describe(snapshot);
        Assert.Contains("cached (max 1h, default 1m, objects up to 1MiB)", summary);
        Assert.Contains("cache     256MiB in memory, s3fifo, status in X-Cache", summary);
    }

    [Fact]
    public void Defaults_and_a_route_without_a_table_has_no_cache()
    {
        Assert.Null(Valid(Route).Routes.Routes[0].CacheOptions);
        Assert.Equal(CacheOptions.Default, Valid(Route).Cache);
        var options = Valid(Route + "cache = {}\n").Routes.Routes[0].CacheOptions!;
        Assert.Equal(new RouteCacheOptions(), options);
        Assert.Null(options.KeyQuery);
        Assert.Equal(TimeSpan.Zero, options.DefaultTtl);
        Assert.Equal([], Valid(Route + "cache = { key_query = [] }\n").Routes.Routes[0].CacheOptions!.KeyQuery!);
    }

    [Fact]
    public void The_l2_settings_bind_and_show_in_the_summary()
    {
        var snapshot = Valid(Route + "cache = {}\n\n[cache]\nredis = \"10.0.0.5:6379,password=secret\"\nnamespace = \"edge\"\nredis_timeout = \"20ms\"\n");
        Assert.Equal(("10.0.0.5:6379,password=secret", "edge", TimeSpan.FromMilliseconds(20)), (snapshot.Cache.Redis, snapshot.Cache.Namespace, snapshot.Cache.RedisTimeout));
        Assert.Contains(", L2 Redis (namespace edge, timeout 20ms, breaker opens for 2s after 5 failures)", FastGate.Configuration.SnapshotSummary.Describe(snapshot));
        Assert.Equal(TimeSpan.FromMilliseconds(50), Valid(Route).Cache.RedisTimeout);
        var tuned = Valid(Route + "\n[cache]\nredis_breaker_consecutive_failures = 12\nredis_breaker_open_duration = \"750ms\"\n").Cache;
        Assert.Equal((12, TimeSpan.FromMilliseconds(750)), (tuned.RedisBreakerFailures, tuned.RedisBreakerOpenDuration));
    }

    [Fact]
    public void Environment_overrides_reach_the_cache_section()
    {
        var snapshot = Valid(Route, new Dictionary<string, string> { ["FASTGATE_CACHE__MEMORY"] = "1MiB", ["FASTGATE_CACHE__STATUS_HEADER"] = "X-Edge-Cache" });
        Assert.Equal((1L << 20, "X-Edge-Cache"), (snapshot.Cache.MemoryBytes, snapshot.Cache.StatusHeader));
    }

    [Theory]
    [InlineData("cache = { default_ttl = \"soon\" }", "routes.api.cache.default_ttl", "bad duration")]
    [InlineData("cache = { max_ttl = \"0s\" }", "routes.api.cache.max_ttl", "greater than zero")]
    [InlineData("cache = { default_ttl = \"2h\" }", "routes.api.cache.default_ttl", "longer than max_ttl")]
    [InlineData("cache = { max_object_size = \"lots\" }", "routes.api.cache.max_object_size", "bad size")]
    [InlineData("cache = { key_query = [\"a&b\"] }", "routes.api.cache.key_query", "invalid query parameter")]
    [InlineData("cache = { key_headers = [\"Bad Header\"] }", "routes.api.cache.key_headers", "not a header name")]
    [InlineData("cache = { enabled = \"yes\" }", "routes.api.cache.enabled", "a boolean")]
    [InlineData("cache = { ttl = \"1s\" }", "routes.api.cache.ttl", "unknown key \"ttl\"")]
    [InlineData("cache = true", "routes.api.cache", "expected a table")]
    public void Bad_route_settings_name_line_and_key(string line, string key, string message)
    {
        var error = SingleError(Route + line + "\n");
        Assert.Equal((key, 7), (error.Key, error.Line));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("memory = \"big\"", "cache.memory", "bad size")]
    [InlineData("status_header = \"X Cache\"", "cache.status_header", "not a header name")]
    [InlineData("status_header = \"Age\"", "cache.status_header", "handles itself")]
    [InlineData("eviction = \"random\"", "cache.eviction", "unknown eviction")]
    [InlineData("size = 1", "cache.size", "unknown key")]
    [InlineData("redis = \"127.0.0.1:6379,bogus=1\"", "cache.redis", "not a Redis configuration")]
    [InlineData("redis = \",,\"", "cache.redis", "names no Redis endpoint")]
    [InlineData("namespace = \"a{b}\"", "cache.namespace", "not a namespace")]
    [InlineData("namespace = \"\"", "cache.namespace", "not a namespace")]
    [InlineData("redis_timeout = \"0s\"", "cache.redis_timeout", "greater than zero")]
    [InlineData("redis_timeout = \"1m\"", "cache.redis_timeout", "longer than 10s")]
    [InlineData("redis_breaker_consecutive_failures = 0", "cache.redis_breaker_consecutive_failures", "0 is out of range (1-1000000)")]
    [InlineData("redis_breaker_consecutive_failures = \"5\"", "cache.redis_breaker_consecutive_failures", "an integer")]
    [InlineData("redis_breaker_open_duration = \"0s\"", "cache.redis_breaker_open_duration", "greater than zero")]
    [InlineData("redis_breaker_open_duration = \"2h\"", "cache.redis_breaker_open_duration", "longer than 1h")]
    [InlineData("redis_breaker_open = \"2s\"", "cache.redis_breaker_open", "unknown")]
    public void Bad_cache_settings_name_line_and_key(string line, string key, string message)
    {
        var error = SingleError(Route + "\n[cache]\n" + line + "\n");
        Assert.Equal(("config.toml", key, 9), (error.File, error.Key, error.Line));
        Assert.Contains(message, error.Message);
    }
}
