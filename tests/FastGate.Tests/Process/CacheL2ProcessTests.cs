using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using FastGate.Tests.Caching;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>
/// L2 in the shipped binary: two gateway processes sharing one redis-server (and namespace): what one fills the
/// other serves from Redis; purges by URL, prefix and tag (the admin endpoint and the <c>fastgate purge</c> CLI)
/// reach the other's L1 through pub/sub; Redis killed and restarted under load fails no request.
/// </summary>
public sealed class CacheL2ProcessTests
{
    private const string Token = "purge-token";

    private static string Config(IPEndPoint upstream, string redis, string ns) => GatewayProcess.InFrontOf(upstream, $$"""
        [cache]
        redis = "{{redis}}"
        namespace = "{{ns}}"
        redis_timeout = "1s"

        [admin]
        listen = "127.0.0.1:0"
        token = "{{Token}}"
        """) + "\n[routes.all.cache]\nmax_ttl = \"10m\"\n";

    private static ScriptedUpstream Upstream() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            var tags = request.Target switch { "/a/1" => "t1, a", "/a/2" => "a", "/b/1" => "t1", _ => "none" };
            s.Send(CacheFixture.Ok($"object {request.Target}", $"Cache-Control: max-age=300\r\nSurrogate-Key: {tags}\r\n"));
        }
    });

    private sealed record Instance(GatewayProcess Process, AdminApi Admin) : IDisposable
    {
        public static async Task<Instance> StartAsync(string config)
        {
            var process = await GatewayProcess.StartAsync(config);
            var instance = new Instance(process, new AdminApi(await process.AdminAsync(), Token));
            await instance.Admin.WaitForStatsAsync(s => L2(s).GetProperty("connected").GetBoolean(), "L2 connected", TimeSpan.FromSeconds(20));
            return instance;
        }

        public async Task<HttpResponse> GetAsync(string target)
        {
            using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, Process.Port));
            client.Send($"GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
            return await client.ReadResponseAsync();
        }

        public async Task<long> L2CountAsync(string name) => L2(await Admin.StatsAsync()).GetProperty(name).GetInt64();

        public Task WaitForL2Async(string name, long value) =>
            Admin.WaitForStatsAsync(s => L2(s).GetProperty(name).GetInt64() >= value, $"cache.l2.{name} >= {value}");

        public void Dispose()
        {
            Admin.Dispose();
            Process.Dispose();
        }
    }

    private static JsonElement L2(JsonElement stats) => stats.GetProperty("cache").GetProperty("l2");

    private static async Task<JsonElement> PurgeAsync(Instance instance, string json)
    {
        using var response = await instance.Admin.Http.PostAsync("/admin/cache/purge", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static (long Removed, long L2Removed, bool Published) Summary(JsonElement report) =>
        (report.GetProperty("removed").GetInt64(), report.GetProperty("l2_removed").GetInt64(), report.GetProperty("published").GetBoolean());

    [Fact]
    public async Task A_second_gateway_serves_from_l2_and_purges_by_url_prefix_and_tag_reach_it()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = Upstream();
        var config = Config(upstream.EndPoint, redis.EndPoint, "p" + Guid.NewGuid().ToString("N")[..8]);
        using var one = await Instance.StartAsync(config);
        using var two = await Instance.StartAsync(config);

        var paths = (string[])["/a/1", "/a/2", "/b/1"];
        foreach (var path in paths) Assert.Equal("MISS", (await one.GetAsync(path)).Header("X-Cache"));
        await one.WaitForL2Async("writes", 3);
        foreach (var path in paths)
        {
            var hit = await two.GetAsync(path);
            Assert.Equal(("HIT", $"object {path}"), (hit.Header("X-Cache"), hit.Body));
        }
        Assert.Equal(3, upstream.Requests.Count);
        Assert.Equal(3, L2(await two.Admin.StatsAsync()).GetProperty("requests").GetProperty("hit").GetInt64());

        // Without the token: refused.
        using (var anonymous = new HttpClient { BaseAddress = one.Admin.Http.BaseAddress })
        {
            using var refused = await anonymous.PostAsync("/admin/cache/purge", new StringContent("{\"url\":\"/a/1\"}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var bad = await one.Admin.Http.PostAsync("/admin/cache/purge", new StringContent("{\"url\":\"/a/1\",\"tag\":\"x\"}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // By URL, on one: two hears of it and asks the upstream again.
        Assert.Equal((1, 1, true), Summary(await PurgeAsync(one, "{\"url\": \"/a/1\"}")));
        await two.WaitForL2Async("purges_received", 1);
        Assert.Equal(("MISS", "HIT"), ((await two.GetAsync("/a/1")).Header("X-Cache"), (await two.GetAsync("/a/2")).Header("X-Cache")));
        Assert.Equal(4, upstream.Requests.Count);
        await two.WaitForL2Async("writes", 1);

        // By prefix, with the CLI: /a/1 (refilled by two) and /a/2 leave Redis; one held only /a/2.
        var (code, output) = await CliAsync("purge", "--admin", one.Admin.Http.BaseAddress!.ToString(), "--token", Token, "--prefix", "/a/");
        Assert.True(code == 0, output);
        Assert.Equal((1, 2, true), Summary(JsonDocument.Parse(output).RootElement));
        await two.WaitForL2Async("purges_received", 2);
        Assert.Equal(("MISS", "MISS"), ((await two.GetAsync("/a/1")).Header("X-Cache"), (await two.GetAsync("/a/2")).Header("X-Cache")));
        Assert.Equal(6, upstream.Requests.Count);

        // By tag, from two: t1 is on /a/1 and /b/1; one loses /b/1 (it had dropped /a/1 already).
        await two.WaitForL2Async("writes", 3);
        Assert.Equal((2, 2, true), Summary(await PurgeAsync(two, "{\"tag\": \"t1\"}")));
        await one.WaitForL2Async("purges_received", 1);
        Assert.Equal(("MISS", "MISS", "HIT"),
            ((await one.GetAsync("/b/1")).Header("X-Cache"), (await one.GetAsync("/a/1")).Header("X-Cache"), (await two.GetAsync("/a/2")).Header("X-Cache")));
        Assert.Contains(one.Process.Lines, l => GatewayProcess.Message(l).StartsWith("cache purge url /a/1: 1 removed from memory, 1 from Redis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Redis_killed_and_restarted_under_load_fails_no_request_and_l2_is_used_again()
    {
        using var redis = await RedisServer.StartAsync();
        await using var upstream = Upstream();
        var config = Config(upstream.EndPoint, redis.EndPoint, "k" + Guid.NewGuid().ToString("N")[..8]);
        using var one = await Instance.StartAsync(config);
        using var two = await Instance.StartAsync(config);

        var failures = new List<string>();
        var done = 0L;
        using var stop = new CancellationTokenSource();
        async Task LoadAsync(Instance instance, int lane)
        {
            using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, instance.Process.Port));
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    client.Send($"GET /load/{lane}/{i % 40} HTTP/1.1\r\nHost: a\r\n\r\n");
                    var response = await client.ReadResponseAsync();
                    if (response.Status != 200) lock (failures) failures.Add($"{response.Status} on /load/{lane}/{i % 40}");
                }
                catch (Exception ex)
                {
                    lock (failures) failures.Add(ex.Message);
                    return;
                }
                Interlocked.Increment(ref done);
            }
        }
        var load = new[] { LoadAsync(one, 1), LoadAsync(two, 2), LoadAsync(one, 3), LoadAsync(two, 4) };

        async Task WaitForMoreRequestsAsync(long more)
        {
            var target = Interlocked.Read(ref done) + more;
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref done) < target && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(10);
        }

        await WaitForMoreRequestsAsync(500);
        redis.Kill();
        await one.Admin.WaitForStatsAsync(s => !L2(s).GetProperty("connected").GetBoolean(), "L2 disconnected");
        await WaitForMoreRequestsAsync(500);
        await redis.RestartAsync();
        foreach (var instance in (Instance[])[one, two])
            await instance.Admin.WaitForStatsAsync(s => L2(s).GetProperty("connected").GetBoolean() && L2(s).GetProperty("breaker").GetString() != "open",
                "L2 connected again", TimeSpan.FromSeconds(30));
        await WaitForMoreRequestsAsync(500);
        stop.Cancel();
        await Task.WhenAll(load);
        Assert.Empty(failures);

        // L2 is used again: a new object filled by one is a hit from Redis on two, and a purge reaches two once more.
        var writes = await one.L2CountAsync("writes");
        var hits = L2(await two.Admin.StatsAsync()).GetProperty("requests").GetProperty("hit").GetInt64();
        Assert.Equal("MISS", (await one.GetAsync("/after")).Header("X-Cache"));
        await one.WaitForL2Async("writes", writes + 1);
        Assert.Equal("HIT", (await two.GetAsync("/after")).Header("X-Cache"));
        Assert.Equal(hits + 1, L2(await two.Admin.StatsAsync()).GetProperty("requests").GetProperty("hit").GetInt64());
        var received = await two.L2CountAsync("purges_received");
        Assert.Equal((1, 1, true), Summary(await PurgeAsync(one, "{\"url\": \"/after\"}")));
        await two.WaitForL2Async("purges_received", received + 1);
    }

    [Fact]
    public async Task A_bad_redis_setting_is_a_config_error_naming_file_line_and_key()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-l2-{Guid.NewGuid():N}.toml");
        await File.WriteAllTextAsync(path, "[cache]\nmemory = \"1MiB\"\nredis = \"127.0.0.1:6379,nonsense=1\"\n");
        try
        {
            var (code, output) = await CliAsync("validate", path);
            Assert.Equal(1, code);
            Assert.Contains($"{path}:3: cache.redis: not a Redis configuration", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        var (fileName, arguments) = TestPaths.GatewayCommand();
        var info = new ProcessStartInfo(fileName, [.. arguments, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
