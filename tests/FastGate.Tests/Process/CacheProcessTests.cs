using System.Net;
using System.Net.Http;
using System.Text.Json;
using FastGate.Tests.Caching;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The response cache in the shipped binary: hits from memory, the status header and Age, /metrics, /admin/stats, and entries that survive a reload.</summary>
public sealed class CacheProcessTests
{
    private static string Config(IPEndPoint upstream, string memory) => $$"""
        [cache]
        memory = "{{memory}}"

        [clusters.backend]
        destinations = ["{{upstream}}"]

        [routes.all]
        path = "/{**rest}"
        cluster = "backend"

        [routes.all.cache]
        max_ttl = "10m"
        key_query = ["page"]
        """;

    private static string Sample(string metrics, string series) =>
        metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Split(' ')[1];

    [Fact]
    public async Task Hits_are_served_from_memory_counted_and_kept_across_a_reload()
    {
        var served = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send(CacheFixture.Ok($"object {Interlocked.Increment(ref served)}", "Cache-Control: max-age=300\r\n"));
        });
        using var gateway = await GatewayProcess.StartAsync(Config(upstream.EndPoint, "64MiB"));
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));

        async Task<HttpResponse> GetAsync(string target, string method = "GET")
        {
            client.Send($"{method} {target} HTTP/1.1\r\nHost: a\r\n\r\n");
            return await client.ReadResponseAsync(headRequest: method == "HEAD");
        }

        Assert.Equal(("MISS", "object 1"), ((await GetAsync("/item?page=1&utm=a")).Header("X-Cache"), (await GetAsync("/item?page=1")).Body));
        var hit = await GetAsync("/item?utm=b&page=1");
        Assert.Equal(("HIT", "object 1"), (hit.Header("X-Cache"), hit.Body));
        Assert.True(int.Parse(hit.Header("Age")!) >= 0);
        var head = await GetAsync("/item?page=1", "HEAD");
        Assert.Equal(("HIT", "8"), (head.Header("X-Cache"), head.Header("Content-Length")));
        Assert.Single(upstream.Requests);

        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("3", Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"hit\"}"));
        Assert.Equal("1", Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"miss\"}"));
        Assert.Equal("1", Sample(metrics, "fastgate_cache_entries"));
        Assert.True(long.Parse(Sample(metrics, "fastgate_cache_bytes")) > 8);
        Assert.Equal((64L << 20).ToString(), Sample(metrics, "fastgate_cache_budget_bytes"));

        using (var stats = JsonDocument.Parse(await admin.GetStringAsync("/admin/stats")))
        {
            var cache = stats.RootElement.GetProperty("cache");
            Assert.Equal(1, cache.GetProperty("entries").GetInt32());
            Assert.Equal("s3fifo", cache.GetProperty("eviction").GetString());
            Assert.Equal(3, cache.GetProperty("routes").GetProperty("all").GetProperty("hit").GetInt64());
        }

        // A reload that changes the budget keeps the store, its entries and the route's counters.
        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config(upstream.EndPoint, "32MiB"), byRename: false);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 2", StringComparison.Ordinal), TimeSpan.FromSeconds(10), from);
        Assert.Equal(("HIT", "object 1"), ((await GetAsync("/item?page=1")).Header("X-Cache"), (await GetAsync("/item?page=1")).Body));
        metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("5", Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"hit\"}"));
        Assert.Equal((32L << 20).ToString(), Sample(metrics, "fastgate_cache_budget_bytes"));
        Assert.Single(upstream.Requests);
    }
}
