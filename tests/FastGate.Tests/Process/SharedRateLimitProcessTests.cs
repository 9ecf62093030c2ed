using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using FastGate.Tests.Caching;
using FastGate.Tests.Integration;
using Xunit.Abstractions;

namespace FastGate.Tests.Process;

/// <summary>
/// Shared rate limits in the shipped binary: two gateway processes against one redis-server draw on one budget per
/// key (keyed by a header here); Redis killed under load → every request still answered (200 or 429) by each
/// process's local limit, counted and logged once; Redis restarted → one shared budget again.
/// </summary>
public sealed partial class SharedRateLimitProcessTests(ITestOutputHelper output)
{
    private static string Config(IPEndPoint upstream, string redis, string ns, string timeout) => $$"""
        [cache]
        redis = "{{redis}}"
        namespace = "{{ns}}"
        redis_timeout = "{{timeout}}"
        [clusters.backend]
        destinations = ["{{upstream}}"]
        [policies.per_tenant]
        type = "rate_limit"
        key = "header:X-Tenant"
        rate = 20
        period = "1s"
        burst = 20
        shared = true
        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = ["per_tenant"]
        """;

    private sealed class Instance : IDisposable
    {
        private Instance(GatewayProcess process, HttpClient admin)
        {
            Process = process;
            Admin = admin;
        }

        public GatewayProcess Process { get; }
        public HttpClient Admin { get; }

        public static async Task<Instance> StartAsync(string config)
        {
            var process = await GatewayProcess.StartAsync(config);
            var instance = new Instance(process, new HttpClient { BaseAddress = await process.AdminAsync() });
            var stats = new AdminApi(instance.Admin.BaseAddress!);
            await stats.WaitForStatsAsync(s => s.GetProperty("cache").GetProperty("l2").GetProperty("connected").GetBoolean(), "connected to Redis", TimeSpan.FromSeconds(20));
            stats.Dispose();
            return instance;
        }

        public async Task<long> FallbacksAsync()
        {
            var match = FallbackLine().Match(await Admin.GetStringAsync("/metrics"));
            Assert.True(match.Success, "no fastgate_rate_limit_fallback_total sample for per_tenant");
            return long.Parse(match.Groups[1].Value);
        }

        public int LinesContaining(string text) => Process.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

        public void Dispose()
        {
            Admin.Dispose();
            Process.Dispose();
        }
    }

    [GeneratedRegex("^fastgate_rate_limit_fallback_total\\{policy=\"per_tenant\"\\} (\\d+)$", RegexOptions.Multiline)]
    private static partial Regex FallbackLine();

    /// <summary>Clients on both instances, each tenant on each, sending back to back until told to stop.</summary>
    private sealed class Load
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _lanes;
        private readonly List<string> _failures = [];
        private readonly Dictionary<string, int> _allowed = [];
        private long _done;

        private readonly TimeSpan _duration;

        public Load(Instance[] instances, string[] tenants, TimeSpan? duration = null)
        {
            _duration = duration ?? TimeSpan.MaxValue;
            _lanes = [.. instances.SelectMany(i => tenants.Select(t => RunAsync(i, t)))];
        }

        public TimeSpan Elapsed => _clock.Elapsed;
        public long Done => Interlocked.Read(ref _done);
        /// <summary>Latest first answer and earliest last send, over every lane: the span every lane covered.</summary>
        public TimeSpan InnerStart, InnerEnd = TimeSpan.MaxValue;

        private async Task RunAsync(Instance instance, string tenant)
        {
            await Task.Yield();
            using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, instance.Process.Port));
            var (allowed, first, lastSend) = (0, TimeSpan.Zero, TimeSpan.Zero);
            for (var i = 0; !_stop.IsCancellationRequested && _clock.Elapsed < _duration; i++)
            {
                try
                {
                    lastSend = _clock.Elapsed;
                    client.Send($"GET /x HTTP/1.1\r\nHost: a\r\nX-Tenant: {tenant}\r\n\r\n");
                    var response = await client.ReadResponseAsync();
                    if (i == 0) first = _clock.Elapsed;
                    if (response.Status == 200) allowed++;
                    else if (response.Status != 429) lock (_failures) _failures.Add($"{response.Status} for {tenant}");
                }
                catch (Exception ex)
                {
                    lock (_failures) _failures.Add(ex.Message);
                    return;
                }
                Interlocked.Increment(ref _done);
            }
            lock (_allowed)
            {
                _allowed[tenant] = _allowed.GetValueOrDefault(tenant) + allowed;
                if (first > InnerStart) InnerStart = first;
                if (lastSend < InnerEnd) InnerEnd = lastSend;
            }
        }

        /// <summary>Stops the lanes now, or, for a load with a duration, once it is over.</summary>
        public async Task<(Dictionary<string, int> Allowed, List<string> Failures)> StopAsync()
        {
            if (_duration == TimeSpan.MaxValue) _stop.Cancel();
            await Task.WhenAll(_lanes);
            return (_allowed, _failures);
        }

        public async Task MoreAsync(long requests)
        {
            var target = Done + requests;
            var deadline = Stopwatch.StartNew();
            while (Done < target && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(10);
        }
    }

    /// <summary>Rate 20/s, burst 20: over <paramref name="load"/> the tenant may get at most 20 + 20 × its span, 5 % over.</summary>
    private void AssertOneBudget(Load load, Dictionary<string, int> allowed, string tenant)
    {
        var count = allowed[tenant];
        var inner = load.InnerEnd - load.InnerStart;
        output.WriteLine($"tenant {tenant}: {count} allowed of {load.Done} requests; budget {20 + 20 * inner.TotalSeconds:F1} (inner {inner.TotalSeconds:F2} s) to {20 + 20 * load.Elapsed.TotalSeconds:F1} ({load.Elapsed.TotalSeconds:F2} s)");
        Assert.InRange(count, (20 + 20 * inner.TotalSeconds) * 0.95, (20 + 20 * load.Elapsed.TotalSeconds) * 1.05);
    }

    [Fact]
    public async Task Two_gateway_processes_share_one_budget_per_header_key_and_allowed_responses_carry_the_RateLimit_fields()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = Policies.PolicyGateway.Upstream();
        var config = Config(upstream.EndPoint, redis.EndPoint, "s" + Guid.NewGuid().ToString("N")[..8], "1s");
        using var one = await Instance.StartAsync(config);
        using var two = await Instance.StartAsync(config);

        using (var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, one.Process.Port)))
        {
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\nX-Tenant: probe\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("\"per_tenant\";q=20;w=1", response.Header("RateLimit-Policy"));
            Assert.Equal("\"per_tenant\";r=19;t=1", response.Header("RateLimit"));
        }

        // Unshared, each process would allow each tenant 20 + 20 × 3 = 80: twice the bound.
        var load = new Load([one, two], ["a", "b"], TimeSpan.FromSeconds(3));
        var (allowed, failures) = await load.StopAsync();
        Assert.Empty(failures);
        AssertOneBudget(load, allowed, "a");
        AssertOneBudget(load, allowed, "b");
        Assert.Equal((0, 0), (await one.FallbacksAsync(), await two.FallbacksAsync()));
    }

    [Fact]
    public async Task Redis_killed_under_load_falls_back_to_local_limits_with_no_failed_request_then_one_shared_budget_again_after_a_restart()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = Policies.PolicyGateway.Upstream();
        var config = Config(upstream.EndPoint, redis.EndPoint, "k" + Guid.NewGuid().ToString("N")[..8], "500ms");
        using var one = await Instance.StartAsync(config);
        using var two = await Instance.StartAsync(config);
        var instances = new[] { one, two };

        var load = new Load(instances, ["a", "b"]);
        await load.MoreAsync(200);
        redis.Kill();
        foreach (var instance in instances)
        {
            var deadline = Stopwatch.StartNew();
            while (await instance.FallbacksAsync() == 0) Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "no fallback after Redis was killed");
        }
        await load.MoreAsync(400);
        await redis.RestartAsync();
        // Back on Redis once the fallback count stands still under load (the breaker may hold for 2 s).
        foreach (var instance in instances)
        {
            var deadline = Stopwatch.StartNew();
            long before;
            do
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "still falling back after Redis came back");
                before = await instance.FallbacksAsync();
                await load.MoreAsync(100);
            }
            while (await instance.FallbacksAsync() != before);
        }
        var (_, failures) = await load.StopAsync();
        Assert.Empty(failures);
        foreach (var instance in instances)
        {
            // The "answers again" line goes through the error log's writer and the test's output reader: wait for it
            // rather than read it the moment the fallback count stands still.
            var logged = Stopwatch.StartNew();
            while (logged.Elapsed < TimeSpan.FromSeconds(5)
                && instance.LinesContaining("rate limit per_tenant: Redis answers again") < instance.LinesContaining("rate limit per_tenant: Redis cannot decide"))
                await Task.Delay(50);
            // Once per outage, not per request; a reconnect that stumbles once more (a command lost in the handshake)
            // is an outage of its own, so up to three.
            var (down, up, count) = (instance.LinesContaining("rate limit per_tenant: Redis cannot decide"),
                instance.LinesContaining("rate limit per_tenant: Redis answers again"), await instance.FallbacksAsync());
            output.WriteLine($"{count} fallbacks, {down} 'cannot decide' and {up} 'answers again' lines");
            Assert.True(down is >= 1 and <= 3 && up == down && count > 50 * down,
                $"{count} fallbacks, {down} down and {up} up lines:\n{string.Join("\n", instance.Process.Lines.Where(l => l.Contains("rate limit", StringComparison.Ordinal)))}");
        }

        // Enforced as one budget again: a fresh tenant on both, where the local limits would allow twice as much.
        var fallbacks = (await one.FallbacksAsync(), await two.FallbacksAsync());
        var after = new Load(instances, ["c"], TimeSpan.FromSeconds(2));
        var (allowed, afterFailures) = await after.StopAsync();
        Assert.Empty(afterFailures);
        AssertOneBudget(after, allowed, "c");
        Assert.True(fallbacks == (await one.FallbacksAsync(), await two.FallbacksAsync()), "fell back again after the restart");
    }

    [Fact]
    public async Task A_reload_keeps_the_budget_in_Redis_and_a_changed_namespace_moves_it_to_the_new_connection()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = Policies.PolicyGateway.Upstream();
        string Slow(string ns) => Config(upstream.EndPoint, redis.EndPoint, ns, "1s").Replace("rate = 20\nperiod = \"1s\"\nburst = 20", "rate = 3\nperiod = \"1h\"\nburst = 3");
        var ns = "r" + Guid.NewGuid().ToString("N")[..8];
        using var one = await Instance.StartAsync(Slow(ns));
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, one.Process.Port));
        async Task<int> StatusAsync()
        {
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\nX-Tenant: t\r\n\r\n");
            return (await client.ReadResponseAsync()).Status;
        }
        async Task<int[]> FourAsync() => [await StatusAsync(), await StatusAsync(), await StatusAsync(), await StatusAsync()];
        async Task ReloadAsync(string config, int version)
        {
            var from = one.Process.LineCount;
            await one.Process.WriteConfigAsync(config, byRename: true);
            one.Process.Reload();
            await one.Process.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"config reloaded: version {version} ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), from);
        }

        Assert.Equal(new[] { 200, 200, 200, 429 }, await FourAsync());
        // Another route added: the policy is bound anew, its budget is where it was, in Redis.
        await ReloadAsync(Slow(ns) + "\n[routes.other]\npath = \"/other\"\ncluster = \"backend\"\n", 2);
        Assert.Equal(429, await StatusAsync());
        // Another namespace: a new connection (the old one closed) and other keys, so a fresh budget once it is up.
        await ReloadAsync(Slow(ns + "b"), 3);
        var stats = new AdminApi(one.Admin.BaseAddress!);
        await stats.WaitForStatsAsync(s => s.GetProperty("cache").GetProperty("l2").GetProperty("connected").GetBoolean(), "connected again", TimeSpan.FromSeconds(20));
        stats.Dispose();
        var fallbacks = await one.FallbacksAsync();
        Assert.Equal(new[] { 200, 200, 200, 429 }, await FourAsync());
        Assert.Equal(fallbacks, await one.FallbacksAsync());
        Assert.Contains($"{ns}b:rl:per_tenant:tb:{{t", await redis.CommandAsync("--scan", "--pattern", $"{ns}b:*"));
    }
}
