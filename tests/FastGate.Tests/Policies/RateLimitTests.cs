using System.Diagnostics;
using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary>Local rate limits over real sockets: counts of allowed requests against the configured rate, and the 429.</summary>
public class RateLimitTests
{
    private static string Config(string limit, string policies = "[\"limit\"]") => $$"""
        [policies.limit]
        type = "rate_limit"
        {{limit}}
        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = {{policies}}
        """;

    /// <summary>
    /// Sends requests back to back on one connection for <paramref name="duration"/>; the 200s, the elapsed time and the
    /// last 429. The gateway counted between the first request's arrival and the last one's, which lies within
    /// [first answer, last send] (<c>Inner</c>) and within [first send, last answer] (<c>Elapsed</c>).
    /// </summary>
    private static async Task<(int Allowed, int Total, TimeSpan Elapsed, HttpResponse? Rejected, TimeSpan Inner)> HammerAsync(TestGateway gateway,
        TimeSpan duration, string headers = "", int? maxRequests = null)
    {
        using var client = gateway.Connect();
        var allowed = 0;
        var total = 0;
        HttpResponse? rejected = null;
        var clock = Stopwatch.StartNew();
        TimeSpan firstAnswer = default, lastSend = default;
        while (clock.Elapsed < duration && (maxRequests is null || total < maxRequests))
        {
            lastSend = clock.Elapsed;
            client.Send($"GET /x HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
            var response = await client.ReadResponseAsync();
            if (total == 0) firstAnswer = clock.Elapsed;
            total++;
            if (response.Status == 200) allowed++;
            else
            {
                Assert.Equal(429, response.Status);
                rejected = response;
            }
        }
        return (allowed, total, clock.Elapsed, rejected, lastSend - firstAnswer);
    }

    [Fact]
    public async Task A_token_bucket_per_client_ip_allows_burst_plus_rate_times_the_measured_window_within_5_percent_for_each_client()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream,
            Config("key = \"client_ip\"\nalgorithm = \"token_bucket\"\nrate = 200\nperiod = \"1s\"\nburst = 100"),
            trusted: [IPNetwork.Parse("127.0.0.1/32")]);
        var window = TimeSpan.FromSeconds(3);
        var warm = await HammerAsync(gateway, window, "X-Forwarded-For: 198.51.100.9\r\n", maxRequests: 200); // JIT and pools warm, another bucket
        // Two clients behind the trusted proxy, told apart by X-Forwarded-For: each has a bucket of its own.
        var runs = await Task.WhenAll(
            HammerAsync(gateway, window, "X-Forwarded-For: 203.0.113.1\r\n"),
            HammerAsync(gateway, window, "X-Forwarded-For: 203.0.113.2\r\n"));
        foreach (var (allowed, total, elapsed, rejected, inner) in runs)
        {
            Assert.True(total > allowed, $"the client never went over the limit ({total} requests in {elapsed})");
            // The limit's promise is the upper bound: never more than 5 % over burst + rate × time. Below, a loaded
            // test machine can leave a client idle while its bucket is full and tokens overflow, so the lower bound
            // only rules out a limiter that grossly under-admits.
            Assert.InRange(allowed, (100 + 200 * inner.TotalSeconds) * 0.8, (100 + 200 * elapsed.TotalSeconds) * 1.05);
            Assert.NotNull(rejected);
        }
        Assert.Equal(runs.Sum(r => r.Allowed) + warm.Allowed, upstream.Requests.Count);
    }

    [Fact]
    public async Task Per_user_and_per_ip_limits_on_one_route_each_hold_within_5_percent_over_10_seconds()
    {
        await using var upstream = PolicyGateway.Upstream();
        var keys = new JwtKeys("HS256");
        await using var gateway = await PolicyGateway.StartAsync(upstream, keys.AuthPolicy() + """

            [policies.per_user]
            type = "rate_limit"
            key = "claim:sub"
            rate = 50
            period = "1s"
            burst = 10
            [policies.per_ip]
            type = "rate_limit"
            key = "client_ip"
            rate = 80
            period = "1s"
            burst = 10
            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["auth", "per_user", "per_ip"]
            """, trusted: [IPNetwork.Parse("127.0.0.1/32")]);
        string As(string user, string address) =>
            $"Authorization: Bearer {keys.Token(claims: new Dictionary<string, object> { ["sub"] = user })}\r\nX-Forwarded-For: {address}\r\n";
        await HammerAsync(gateway, TimeSpan.FromSeconds(1), As("warm", "198.51.100.9"), maxRequests: 100); // JIT and pools warm
        var window = TimeSpan.FromSeconds(10);
        // alice alone on her address: her own limit (50/s) binds. bob and carol share an address: each may have
        // 50/s, but the address's 80/s binds their sum.
        var runs = await Task.WhenAll(
            HammerAsync(gateway, window, As("alice", "203.0.113.1")),
            HammerAsync(gateway, window, As("bob", "203.0.113.2")),
            HammerAsync(gateway, window, As("carol", "203.0.113.2")));
        var alice = runs[0];
        Assert.True(alice.Total > alice.Allowed, "alice never went over her limit");
        Assert.InRange(alice.Allowed, (10 + 50 * alice.Inner.TotalSeconds) * 0.8, (10 + 50 * alice.Elapsed.TotalSeconds) * 1.05);
        var shared = runs[1].Allowed + runs[2].Allowed;
        var inner = TimeSpan.FromTicks(Math.Min(runs[1].Inner.Ticks, runs[2].Inner.Ticks));
        var elapsed = TimeSpan.FromTicks(Math.Max(runs[1].Elapsed.Ticks, runs[2].Elapsed.Ticks));
        Assert.InRange(shared, (10 + 80 * inner.TotalSeconds) * 0.8, (10 + 80 * elapsed.TotalSeconds) * 1.05);
        // Neither user of the shared address got more than the user limit allows.
        foreach (var run in runs[1..]) Assert.True(run.Allowed <= (10 + 50 * run.Elapsed.TotalSeconds) * 1.05, $"{run.Allowed} over the user limit");
    }

    [Fact]
    public async Task A_429_carries_Retry_After_and_the_IETF_RateLimit_Policy_and_RateLimit_fields_and_keeps_the_connection()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config("rate = 2\nperiod = \"10s\"\nburst = 2"));
        var (allowed, _, _, rejected, _) = await HammerAsync(gateway, TimeSpan.FromSeconds(5), maxRequests: 5);
        Assert.Equal(2, allowed);
        Assert.NotNull(rejected);
        var retryAfter = int.Parse(rejected.Header("Retry-After")!);
        Assert.InRange(retryAfter, 1, 5); // one token every 5 s
        Assert.Equal("\"limit\";q=2;w=10", rejected.Header("RateLimit-Policy"));
        Assert.Equal($"\"limit\";r=0;t={retryAfter}", rejected.Header("RateLimit"));
        Assert.Equal("FastGate", rejected.Header("Server"));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_fixed_window_allows_rate_requests_per_window()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config("algorithm = \"fixed_window\"\nrate = 50\nperiod = \"2s\""));
        var (allowed, total, elapsed, rejected, _) = await HammerAsync(gateway, TimeSpan.FromSeconds(10), maxRequests: 150);
        // 150 back-to-back requests take far less than a window; at most one window boundary falls among them.
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"{total} requests took {elapsed}");
        Assert.InRange(allowed, 50, 100);
        Assert.NotNull(rejected);
        Assert.InRange(int.Parse(rejected.Header("Retry-After")!), 1, 2);
        Assert.Equal("\"limit\";q=50;w=2", rejected.Header("RateLimit-Policy"));
    }

    [Fact]
    public async Task A_sliding_window_allows_rate_requests_in_any_period_even_across_a_window_boundary()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config("algorithm = \"sliding_window\"\nrate = 50\nperiod = \"2s\""));
        var (allowed, total, elapsed, rejected, _) = await HammerAsync(gateway, TimeSpan.FromSeconds(10), maxRequests: 150);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"{total} requests took {elapsed}");
        // Across a boundary the previous window still weighs almost fully: it frees 50 slots per 2 s as it slides out
        // (plus one for rounding), where a fixed window would allow 50 more at once.
        Assert.InRange(allowed, 50, 51 + (int)Math.Ceiling(50 * elapsed.TotalSeconds / 2));
        Assert.NotNull(rejected);
    }

    [Fact]
    public async Task A_header_key_counts_each_value_apart_and_requests_without_the_header_share_one_bucket()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config("key = [\"header:X-Api-Key\", \"route\"]\nrate = 3\nperiod = \"1m\""));
        Assert.Equal(3, (await HammerAsync(gateway, TimeSpan.FromSeconds(5), "X-Api-Key: a\r\n", maxRequests: 6)).Allowed);
        Assert.Equal(3, (await HammerAsync(gateway, TimeSpan.FromSeconds(5), "X-Api-Key: b\r\n", maxRequests: 6)).Allowed);
        Assert.Equal(3, (await HammerAsync(gateway, TimeSpan.FromSeconds(5), maxRequests: 6)).Allowed);
        Assert.Equal(0, (await HammerAsync(gateway, TimeSpan.FromSeconds(5), "X-Api-Key: a\r\n", maxRequests: 2)).Allowed);
    }

    [Fact]
    public async Task A_route_without_the_policy_is_not_limited()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config("rate = 1\nperiod = \"1m\"", "[]"));
        Assert.Equal(20, (await HammerAsync(gateway, TimeSpan.FromSeconds(10), maxRequests: 20)).Allowed);
    }
}
