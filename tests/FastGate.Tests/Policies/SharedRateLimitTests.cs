using System.Diagnostics;
using FastGate.Caching;
using FastGate.Configuration;
using FastGate.Policies.RateLimiting;
using FastGate.Tests.Caching;
using FastGate.Tests.Integration;
using Xunit.Abstractions;

namespace FastGate.Tests.Policies;

/// <summary>
/// Shared rate limits over real sockets against a real redis-server: two gateways (each its own snapshot, cache
/// runtime and connection, as two instances) draw on one budget per key; Redis gone → each decides locally, no
/// request fails, and Redis decides again once it is back.
/// </summary>
public class SharedRateLimitTests(ITestOutputHelper output)
{
    private sealed record Node(TestGateway Gateway, CacheRuntime Cache, RateLimitDefinition Limit) : IAsyncDisposable
    {
        public long Fallbacks => Limit.Shared!.Fallbacks.ReadAll();

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            if (Cache.L2 is { } l2) await l2.DisposeAsync();
        }
    }

    private static string Config(string redis, string ns, string limit, string timeout = "1s") => $$"""
        [cache]
        redis = "{{redis}}"
        namespace = "{{ns}}"
        redis_timeout = "{{timeout}}"
        [policies.limit]
        type = "rate_limit"
        shared = true
        {{limit}}
        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = ["limit"]
        """;

    private static async Task<Node> StartAsync(ScriptedUpstream upstream, string config)
    {
        var snapshot = PolicyGateway.Load(upstream.EndPoint, config);
        var cache = new CacheRuntime(snapshot.Cache);
        SharedLimits.Bind(null, snapshot, cache);
        var node = new Node(await PolicyGateway.StartAsync(snapshot), cache, (RateLimitDefinition)snapshot.Policies["limit"]);
        await L2Fixture.Until(() => cache.L2!.Connected, "connected to Redis");
        return node;
    }

    private static async Task<(Node A, Node B)> PairAsync(ScriptedUpstream upstream, RedisServer redis, string limit, string timeout = "1s")
    {
        var config = Config(redis.EndPoint, "r" + Guid.NewGuid().ToString("N")[..8], limit, timeout);
        return (await StartAsync(upstream, config), await StartAsync(upstream, config));
    }

    private static async Task<(int Allowed, int Total, List<string> Failures)> SendAsync(Node node, int count, string headers = "")
    {
        using var client = node.Gateway.Connect();
        var (allowed, failures) = (0, new List<string>());
        for (var i = 0; i < count; i++)
        {
            client.Send($"GET /x HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
            var response = await client.ReadResponseAsync();
            if (response.Status == 200) allowed++;
            else if (response.Status != 429) failures.Add($"status {response.Status}");
        }
        return (allowed, count, failures);
    }

    [Fact]
    public async Task Two_gateways_share_one_token_bucket_budget_within_5_percent_where_each_alone_would_allow_twice_as_much()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = PolicyGateway.Upstream();
        var (a, b) = await PairAsync(upstream, redis, "rate = 20\nperiod = \"1s\"\nburst = 20");
        await using (a)
        await using (b)
        {
            var clock = Stopwatch.StartNew();
            var firstAnswers = new TimeSpan[2];
            var lastSends = new TimeSpan[2];
            async Task<int> HammerAsync(Node node, int lane)
            {
                using var client = node.Gateway.Connect();
                var allowed = 0;
                for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(3); i++)
                {
                    lastSends[lane] = clock.Elapsed;
                    client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                    var response = await client.ReadResponseAsync();
                    if (i == 0) firstAnswers[lane] = clock.Elapsed;
                    if (response.Status == 200) allowed++;
                    else Assert.Equal(429, response.Status);
                }
                return allowed;
            }
            var counts = await Task.WhenAll(HammerAsync(a, 0), HammerAsync(b, 1));
            var elapsed = clock.Elapsed;
            var total = counts.Sum();
            // Redis counted between the first decision and the last: within [latest first answer, earliest last send]
            // at the least, and within [0, elapsed] at the most. Unshared, each gateway would allow 20 + 20 × 3 = 80.
            var inner = lastSends.Min() - firstAnswers.Max();
            output.WriteLine($"allowed {counts[0]} + {counts[1]} = {total}; budget {20 + 20 * inner.TotalSeconds:F1} to {20 + 20 * elapsed.TotalSeconds:F1}");
            Assert.InRange(total, (20 + 20 * inner.TotalSeconds) * 0.95, (20 + 20 * elapsed.TotalSeconds) * 1.05);
            Assert.True(counts.Min() > 0, $"one gateway got nothing: {counts[0]} and {counts[1]}");
            Assert.Equal((0, 0), (a.Fallbacks, b.Fallbacks));
            Assert.Equal(total, upstream.Requests.Count);
        }
    }

    [Theory]
    [InlineData("fixed_window")]
    [InlineData("sliding_window")]
    public async Task Two_gateways_share_one_window_budget(string algorithm)
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = PolicyGateway.Upstream();
        var (a, b) = await PairAsync(upstream, redis, $"algorithm = \"{algorithm}\"\nrate = 10\nperiod = \"1h\"");
        await using (a)
        await using (b)
        {
            var hourBefore = DateTime.UtcNow.Hour;
            var runs = await Task.WhenAll(SendAsync(a, 15), SendAsync(b, 15));
            Assert.All(runs, r => Assert.Empty(r.Failures));
            // A fixed window that turned over during the run (at the full hour) allows a second quota.
            var most = algorithm == "fixed_window" && DateTime.UtcNow.Hour != hourBefore ? 20 : 10;
            Assert.InRange(runs.Sum(r => r.Allowed), 10, most);
            Assert.Equal((0, 0), (a.Fallbacks, b.Fallbacks));
        }
    }

    [Fact]
    public async Task A_header_keyed_shared_limit_counts_each_value_apart_across_both_gateways_and_allowed_responses_carry_the_fields()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = PolicyGateway.Upstream();
        var (a, b) = await PairAsync(upstream, redis, "key = \"header:X-User\"\nrate = 4\nperiod = \"1h\"\nburst = 4");
        await using (a)
        await using (b)
        {
            using var client = a.Gateway.Connect();
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\nX-User: alice\r\n\r\n");
            var first = await client.ReadResponseAsync();
            Assert.Equal(200, first.Status);
            Assert.Equal("\"limit\";q=4;w=3600", first.Header("RateLimit-Policy"));
            // Three left; the quota is whole again once one emission interval (900 s) has passed.
            Assert.Equal("\"limit\";r=3;t=900", first.Header("RateLimit"));

            Assert.Equal(3, (await SendAsync(b, 5, "X-User: alice\r\n")).Allowed);
            Assert.Equal(0, (await SendAsync(a, 2, "X-User: alice\r\n")).Allowed);
            Assert.Equal(4, (await SendAsync(a, 2, "X-User: bob\r\n")).Allowed + (await SendAsync(b, 4, "X-User: bob\r\n")).Allowed);
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\nX-User: alice\r\n\r\n");
            var limited = await client.ReadResponseAsync();
            Assert.Equal(429, limited.Status);
            var retryAfter = int.Parse(limited.Header("Retry-After")!);
            Assert.InRange(retryAfter, 890, 900);
            Assert.Equal($"\"limit\";r=0;t={retryAfter}", limited.Header("RateLimit"));
            Assert.Contains(":rl:limit:tb:{alice", await redis.CommandAsync("--scan", "--pattern", "*alice*"));
            Assert.Equal((0, 0), (a.Fallbacks, b.Fallbacks));
        }
    }

    [Fact]
    public async Task Redis_killed_mid_run_falls_back_to_the_local_limit_without_a_failed_request_and_is_used_again_after_a_restart()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = PolicyGateway.Upstream();
        var (a, b) = await PairAsync(upstream, redis, "rate = 5\nperiod = \"1h\"\nburst = 5", timeout: "200ms");
        await using (a)
        await using (b)
        {
            // Shared: five between the two.
            var before = await Task.WhenAll(SendAsync(a, 5), SendAsync(b, 5));
            Assert.Equal(5, before.Sum(r => r.Allowed));

            redis.Kill();
            // Each decides alone now, from its own (full) local bucket: five each, none failed.
            var during = await Task.WhenAll(SendAsync(a, 8), SendAsync(b, 8));
            Assert.All(during, r => Assert.Empty(r.Failures));
            Assert.Equal([5, 5], during.Select(r => r.Allowed));
            Assert.True(a.Fallbacks >= 8 && b.Fallbacks >= 8, $"fallbacks {a.Fallbacks}, {b.Fallbacks}");

            await redis.RestartAsync();
            await L2Fixture.Until(() => a.Cache.L2!.Connected && b.Cache.L2!.Connected, "reconnected");
            // The restarted Redis has neither the keys nor the script (NOSCRIPT → EVAL): a fresh shared budget of five,
            // once each gateway's next request is decided there (its breaker may stay open up to 2 s after the outage).
            Assert.Equal(1, await UntilRedisDecidesAsync(a));
            Assert.Equal(1, await UntilRedisDecidesAsync(b));
            var fallbacks = (a.Fallbacks, b.Fallbacks);
            var after = await Task.WhenAll(SendAsync(a, 6), SendAsync(b, 6));
            Assert.All(after, r => Assert.Empty(r.Failures));
            Assert.Equal(3, after.Sum(r => r.Allowed));
            Assert.Equal(fallbacks, (a.Fallbacks, b.Fallbacks));
        }
    }

    [Fact]
    public async Task A_Redis_slower_than_redis_timeout_is_a_fallback_not_a_failed_or_stalled_request()
    {
        using var redis = await RedisServer.StartAsync("--enable-debug-command", "yes");
        await using var upstream = PolicyGateway.Upstream();
        var snapshot = PolicyGateway.Load(upstream.EndPoint, Config(redis.EndPoint, "w" + Guid.NewGuid().ToString("N")[..8],
            "rate = 1000\nperiod = \"1s\"\nredis_timeout = \"100ms\"", timeout: "5s"));
        var cache = new CacheRuntime(snapshot.Cache);
        SharedLimits.Bind(null, snapshot, cache);
        var limit = (RateLimitDefinition)snapshot.Policies["limit"];
        await using var gateway = await PolicyGateway.StartAsync(snapshot);
        await L2Fixture.Until(() => cache.L2!.Connected, "connected to Redis");
        var node = new Node(gateway, cache, limit);
        Assert.Equal(1, await UntilRedisDecidesAsync(node));

        // Redis busy for 3 s: the policy's own redis_timeout (100 ms, not the cache's 5 s) sends requests to the local limit.
        var sleeping = redis.CommandAsync("DEBUG", "SLEEP", "3");
        var clock = Stopwatch.StartNew();
        using var client = gateway.Connect();
        var slowest = TimeSpan.Zero;
        while (node.Fallbacks == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "no fallback while Redis slept");
            var sent = clock.Elapsed;
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            if (clock.Elapsed - sent > slowest) slowest = clock.Elapsed - sent;
        }
        // Far below the 3 s Redis was asleep for: a request waits one redis_timeout at most (and none once the breaker opens).
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a request took {slowest}");
        await sleeping;
        await UntilRedisDecidesAsync(node);
        await L2Fixture.Until(() => limit.Shared!.Breaker == "closed", "breaker closed");
        await cache.L2!.DisposeAsync();
    }

    /// <summary>Sends one request at a time until one is decided by Redis (no fallback counted); whether it was allowed.</summary>
    private static async Task<int> UntilRedisDecidesAsync(Node node)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var fallbacks = node.Fallbacks;
            var (allowed, _, failures) = await SendAsync(node, 1);
            Assert.Empty(failures);
            if (node.Fallbacks == fallbacks) return allowed;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "Redis never decided again");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Two_gateways_share_budgets_on_a_three_node_redis_cluster_each_key_on_its_own_slot()
    {
        var nodes = new List<RedisServer>();
        try
        {
            await RedisServer.StartClusterAsync(nodes);
            await using var upstream = PolicyGateway.Upstream();
            var config = Config(string.Join(',', nodes.Select(n => n.EndPoint)), "c" + Guid.NewGuid().ToString("N")[..8],
                "key = \"header:X-User\"\nrate = 3\nperiod = \"1h\"\nburst = 3");
            await using var a = await StartAsync(upstream, config);
            await using var b = await StartAsync(upstream, config);
            // Twelve users spread over the nodes' slots (each node loads the script on its first NOSCRIPT): three each, across both.
            for (var user = 0; user < 12; user++)
            {
                var runs = await Task.WhenAll(SendAsync(a, 3, $"X-User: u{user}\r\n"), SendAsync(b, 3, $"X-User: u{user}\r\n"));
                Assert.All(runs, r => Assert.Empty(r.Failures));
                Assert.Equal(3, runs.Sum(r => r.Allowed));
            }
            Assert.Equal((0, 0), (a.Fallbacks, b.Fallbacks));
            var keys = 0;
            foreach (var node in nodes)
            {
                var held = (await node.CommandAsync("--scan", "--pattern", "*:rl:limit:tb:*")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                keys += held;
            }
            Assert.Equal(12, keys);
            Assert.All(nodes, n => Assert.NotEqual("", n.CommandAsync("--scan", "--pattern", "*:rl:limit:tb:*").Result));
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    [Fact]
    public void Shared_without_a_configured_redis_is_an_error_naming_file_line_and_key()
    {
        var result = ConfigLoader.LoadText("[policies.per_user]\ntype = \"rate_limit\"\nrate = 5\nshared = true\n", "gateway.toml");
        Assert.Null(result.Snapshot);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("gateway.toml", 4, "policies.per_user.shared"), (error.File, error.Line, error.Key));
        Assert.Contains("no Redis is configured: set cache.redis", error.Message);
    }
}
