using System.Net;
using FastGate.Discovery;
using FastGate.Tests.Integration;
using FastGate.Upstreams;
using static FastGate.Tests.Discovery.DnsMembersTests;

namespace FastGate.Tests.Discovery;

/// <summary>
/// DNS refresh over real sockets: upstreams on other loopback addresses (127.0.0.2, .3) on one port stand for the
/// addresses a name moves between; the in-test resolver decides what the name resolves to. No reload is made.
/// </summary>
public sealed class DnsRefreshTests
{
    private static readonly IPAddress Two = IPAddress.Parse("127.0.0.2"), Three = IPAddress.Parse("127.0.0.3"), Four = IPAddress.Parse("127.0.0.4");

    /// <summary>Upstreams answering "a" on 127.0.0.2:P and "b" on 127.0.0.3:P; "/slow" waits for <paramref name="slow"/> first.</summary>
    private static (ScriptedUpstream A, ScriptedUpstream B) Upstreams(Task? slow = null)
    {
        var a = Answering(new IPEndPoint(Two, 0), "a", slow);
        return (a, Answering(new IPEndPoint(Three, a.EndPoint.Port), "b", slow));
    }

    private static ScriptedUpstream Answering(IPEndPoint listen, string body, Task? slow) => new(listen, async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            if (request.Target == "/slow" && slow is not null) await slow;
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
    });

    private static async Task<HttpResponse> GetAsync(TestGateway gateway, string path = "/")
    {
        using var client = gateway.Connect();
        client.Send($"GET {path} HTTP/1.1\r\nHost: api.test\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task A_dns_change_reaches_the_registry_without_a_reload_the_gone_address_drains_and_no_request_is_lost()
    {
        var releaseSlow = new TaskCompletionSource();
        var (a, b) = Upstreams(releaseSlow.Task);
        await using var _a = a;
        await using var _b = b;
        var resolver = new ScriptedHostResolver(Two);
        var cluster = ClusterOf(TimeSpan.FromMilliseconds(200), Named($"api.test:{a.EndPoint.Port}", 1, DateTime.UtcNow, Two));
        var runtime = new UpstreamRuntime(UpstreamRuntime.DrainSweepPeriod, resolver);
        await using var gateway = await TestGateway.StartAsync(cluster, runtime);
        var before = cluster.State.Members[0];

        using var slowClient = gateway.Connect();
        slowClient.Send("GET /slow HTTP/1.1\r\nHost: api.test\r\n\r\n"); // in flight to 127.0.0.2 across the change
        await Poll.UntilAsync(() => a.Requests.Any(r => r.Target == "/slow"), "the slow request at a");
        var load = new ContinuousLoad(gateway.EndPoint, clients: 2);
        await Poll.UntilAsync(() => a.Requests.Count > 20, "load on a");

        resolver.Answer(Three);
        await Poll.UntilAsync(() => before.Retired, "the old address to drain");
        Assert.Equal([$"127.0.0.3:{a.EndPoint.Port}"], cluster.State.Members.Select(m => m.Config.Name));
        Assert.Equal(1, cluster.State.Resolver!.Resolutions(DnsResult.Changed));

        // Once the requests picked before the change are done, the gone address gets no more.
        await Poll.UntilAsync(() => before.InFlight == 1, "only the slow request left at a");
        var atA = a.Requests.Count;
        var atB = b.Requests.Count;
        await Poll.UntilAsync(() => b.Requests.Count > atB + 50, "load moving on at b");
        Assert.Equal(atA, a.Requests.Count);

        releaseSlow.SetResult();
        var slow = await slowClient.ReadResponseAsync();
        Assert.Equal((200, "a"), (slow.Status, slow.Body));
        await Poll.UntilAsync(() => runtime.Registry.DrainingCount == 0 && runtime.Registry.Count == 1, "the drained state to be disposed");

        var answers = await load.StopAsync();
        Assert.All(answers, x => Assert.Equal(200, x.Status));
        Assert.Contains(answers, x => x.Body == "a");
        Assert.Contains(answers, x => x.Body == "b");
        Assert.Same(cluster, gateway.Snapshot.Clusters["backend"]); // no new snapshot
    }

    [Fact]
    public async Task A_name_resolving_to_two_addresses_sends_to_both()
    {
        var (a, b) = Upstreams();
        await using var _a = a;
        await using var _b = b;
        var resolver = new ScriptedHostResolver(Two);
        var cluster = ClusterOf(TimeSpan.FromMilliseconds(200), Named($"api.test:{a.EndPoint.Port}", 3, DateTime.UtcNow, Two));
        await using var gateway = await TestGateway.StartAsync(cluster, new UpstreamRuntime(UpstreamRuntime.DrainSweepPeriod, resolver));
        Assert.Equal("a", (await GetAsync(gateway)).Body);

        resolver.Answer(Three, Two);
        await Poll.UntilAsync(() => cluster.State.Members.Length == 2, "two destinations");
        var bodies = new List<string>();
        for (var i = 0; i < 20; i++) bodies.Add((await GetAsync(gateway)).Body);

        Assert.Equal((10, 10), (bodies.Count(x => x == "a"), bodies.Count(x => x == "b")));
        Assert.All(cluster.State.Members, m => Assert.Equal(3, m.Config.Weight));
    }

    [Fact]
    public async Task A_failed_lookup_keeps_sending_to_the_last_good_address()
    {
        var (a, b) = Upstreams();
        await using var _a = a;
        await using var _b = b;
        var resolver = new ScriptedHostResolver(Two);
        var cluster = ClusterOf(TimeSpan.FromMilliseconds(200), Named($"api.test:{a.EndPoint.Port}", 1, DateTime.UtcNow, Two));
        await using var gateway = await TestGateway.StartAsync(cluster, new UpstreamRuntime(UpstreamRuntime.DrainSweepPeriod, resolver));

        resolver.Fail();
        await Poll.UntilAsync(() => cluster.State.Resolver!.Resolutions(DnsResult.Failed) >= 2, "two failed lookups");
        var answer = await GetAsync(gateway);
        Assert.Equal((200, "a"), (answer.Status, answer.Body));
        Assert.NotNull(cluster.State.Resolver!.StatusOf("api.test")!.Error);
    }

    [Fact]
    public async Task A_failed_connect_looks_the_name_up_again_at_most_once_per_interval()
    {
        var (a, b) = Upstreams();
        await using var _a = a;
        await using var _b = b;
        var interval = TimeSpan.FromSeconds(3);
        var resolver = new ScriptedHostResolver(Four); // nothing listens on 127.0.0.4
        var cluster = ClusterOf(TimeSpan.FromHours(1), Named($"api.test:{a.EndPoint.Port}", 1, DateTime.UtcNow, Four));
        await using var gateway = await TestGateway.StartAsync(cluster, new UpstreamRuntime(UpstreamRuntime.DrainSweepPeriod, resolver, interval));
        var resolving = cluster.State.Resolver!;
        var dead = cluster.State.Members[0];

        var sinceFirst = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(502, (await GetAsync(gateway)).Status);
        await Poll.UntilAsync(() => resolving.Resolutions(DnsResult.Unchanged) == 1, "a lookup after the failed connect");
        for (var i = 0; i < 5; i++) Assert.Equal(502, (await GetAsync(gateway)).Status);
        await Poll.UntilAsync(() => dead.InFlight == 0, "the failed attempts to be reported");
        Assert.True(sinceFirst.Elapsed < interval, $"the failed connects took {sinceFirst.Elapsed}, longer than the interval under test");
        Assert.Equal((1, 1), (resolving.EarlyRefreshes, resolver.Calls)); // rate-limited

        // Failed connects go on; the next lookup comes only once the interval since the first has passed.
        resolver.Answer(Two);
        while (resolving.Resolutions(DnsResult.Changed) == 0)
        {
            Assert.True(sinceFirst.Elapsed < interval * 3, "no second lookup after the interval");
            Assert.Contains((await GetAsync(gateway)).Status, new[] { 502, 200 }); // 200 once the lookup just made lands
            await Task.Delay(50);
        }
        Assert.True(sinceFirst.Elapsed >= interval, $"a second lookup after {sinceFirst.Elapsed}");
        var answer = await GetAsync(gateway);
        Assert.Equal((200, "a"), (answer.Status, answer.Body));
        Assert.Equal(2, resolver.Calls);
    }
}
