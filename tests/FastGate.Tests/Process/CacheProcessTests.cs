using System.Net;
using System.Net.Http;
using System.Text.Json;
using FastGate.Tests.Caching;
using FastGate.Tests.Discovery;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The response cache in the shipped binary: hits from memory, the status header and Age, /metrics, /admin/stats, entries that survive a reload, and staleness (stale-while-revalidate, 304s).</summary>
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

    [Fact]
    public async Task Stale_while_revalidate_refreshes_once_in_the_background_and_304s_refresh_entries()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
            {
                var swr = request.Target == "/swr";
                var rules = swr ? "Cache-Control: max-age=0, stale-while-revalidate=60\r\nETag: \"p1\"\r\n" : "Cache-Control: max-age=0\r\nETag: \"r1\"\r\n";
                if (request.Header("If-None-Match") is null)
                {
                    s.Send(CacheFixture.Ok("object", rules));
                    continue;
                }
                if (swr) await release.Task;
                s.Send($"HTTP/1.1 304 Not Modified\r\n{(swr ? "Cache-Control: max-age=300\r\nETag: \"p1\"\r\n" : rules)}X-Refreshed: 1\r\n\r\n");
            }
        });
        using var gateway = await GatewayProcess.StartAsync(Config(upstream.EndPoint, "64MiB"));
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        var endPoint = new IPEndPoint(IPAddress.Loopback, gateway.Port);

        async Task<HttpResponse> GetAsync(string target, string headers = "")
        {
            using var client = RawClient.Connect(endPoint);
            client.Send($"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
            return await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));
        }

        Assert.Equal("MISS", (await GetAsync("/swr")).Header("X-Cache"));
        var stale = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync("/swr")));
        Assert.All(stale, r => Assert.Equal((200, "object", "STALE"), (r.Status, r.Body, r.Header("X-Cache"))));
        await Poll.UntilAsync(() => upstream.Requests.Count == 2, "the one background refresh");
        Assert.Equal("\"p1\"", upstream.Requests.ToArray()[1].Header("If-None-Match"));
        release.SetResult();
        // Until the refresh is stored, a request may still be served stale: those are counted too.
        var staleWhilePolling = 0;
        await Poll.UntilAsync(() =>
        {
            var response = GetAsync("/swr").GetAwaiter().GetResult();
            if (response.Header("X-Cache") == "STALE") staleWhilePolling++;
            return response.Header("X-Refreshed") == "1";
        }, "the refreshed entry");
        var notModified = await GetAsync("/swr", "If-None-Match: \"p1\"\r\n");
        Assert.Equal((304, "HIT", "max-age=300"), (notModified.Status, notModified.Header("X-Cache"), notModified.Header("Cache-Control")));
        Assert.Equal(2, upstream.Requests.Count);

        Assert.Equal("MISS", (await GetAsync("/revalidate")).Header("X-Cache"));
        var revalidated = await GetAsync("/revalidate");
        Assert.Equal(("object", "REVALIDATED", "1"), (revalidated.Body, revalidated.Header("X-Cache"), revalidated.Header("X-Refreshed")));

        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal((20 + staleWhilePolling).ToString(), Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"stale\"}"));
        Assert.Equal("1", Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"revalidated\"}"));
        Assert.Equal("2", Sample(metrics, "fastgate_cache_requests_total{route=\"all\",outcome=\"miss\"}"));
        using var stats = JsonDocument.Parse(await admin.GetStringAsync("/admin/stats"));
        var route = stats.RootElement.GetProperty("cache").GetProperty("routes").GetProperty("all");
        Assert.Equal((20 + staleWhilePolling, 1), (route.GetProperty("stale").GetInt64(), route.GetProperty("revalidated").GetInt64()));
        Assert.True(route.GetProperty("hit").GetInt64() >= 2);
    }

    [Fact]
    public async Task Stale_if_error_serves_the_stale_entry_while_the_upstream_answers_503()
    {
        var calls = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send(Interlocked.Increment(ref calls) == 1
                    ? CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\n")
                    : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        });
        using var gateway = await GatewayProcess.StartAsync(Config(upstream.EndPoint, "64MiB"));
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        for (var i = 0; i < 3; i++)
        {
            client.Send("GET /sie HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, "kept", i == 0 ? "MISS" : "STALE"), (response.Status, response.Body, response.Header("X-Cache")));
        }
        Assert.Equal(3, upstream.Requests.Count);
    }
}
