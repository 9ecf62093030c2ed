using System.Globalization;
using System.Net;
using System.Text.Json;
using FastGate.Tests.Caching;
using FastGate.Tests.Integration;
using static FastGate.Tests.Process.DashboardDom;

namespace FastGate.Tests.Process;

/// <summary>
/// The dashboard's cache and rate-limit panels in headless Chromium against the shipped binary: real traffic through
/// a cached route (L1 and a real redis-server's L2) and through rate-limited routes, and the page showing exactly what
/// <c>/admin/stats</c> reports.
/// </summary>
public class DashboardPanelTests
{
    private const string Token = "panel-Token_3";
    private const int Hits = 4;

    [Fact]
    public async Task The_cache_panel_shows_each_outcome_l1_and_l2_as_admin_stats_reports_them()
    {
        HeadlessChromium.Find();
        using var redis = await RedisServer.StartAsync();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request) s.Send(CacheFixture.Ok($"object {request.Target}", "Cache-Control: max-age=300\r\n"));
        });
        var ns = "dash" + Guid.NewGuid().ToString("N")[..8];
        using var gateway = await GatewayProcess.StartAsync($$"""
            [cache]
            memory = "8MiB"
            redis = "{{redis.EndPoint}}"
            namespace = "{{ns}}"
            redis_timeout = "1s"
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            [routes.api]
            path = "/api/{**rest}"
            cluster = "backend"
            [routes.api.cache]
            max_ttl = "10m"
            [routes.web]
            path = "/{**rest}"
            cluster = "backend"
            [admin]
            listen = "127.0.0.1:0"
            token = "{{Token}}"
            """);
        var admin = await gateway.AdminAsync();
        using var api = new AdminApi(admin, Token);
        await api.WaitForStatsAsync(s => Cache(s).GetProperty("l2").GetProperty("connected").GetBoolean(), "L2 connected", TimeSpan.FromSeconds(20));

        // A miss, then hits; another object (a miss); a POST (bypass); a route without a cache table (not counted).
        using (var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port)))
        {
            Assert.Equal("MISS", (await SendAsync(client, "GET /api/item")).Header("X-Cache"));
            for (var i = 0; i < Hits; i++) Assert.Equal("HIT", (await SendAsync(client, "GET /api/item")).Header("X-Cache"));
            Assert.Equal("MISS", (await SendAsync(client, "GET /api/other")).Header("X-Cache"));
            Assert.Equal("BYPASS", (await SendAsync(client, "POST /api/item", "Content-Length: 0\r\n")).Header("X-Cache"));
            Assert.Null((await SendAsync(client, "GET /page")).Header("X-Cache"));
        }
        var stats = await api.WaitForStatsAsync(s => Outcome(s, "hit") == Hits && Outcome(s, "miss") == 2 && Outcome(s, "bypass") == 1
            && Cache(s).GetProperty("l2").GetProperty("writes").GetInt64() == 2, "the route's outcomes counted and both fills written to L2");
        var cache = Cache(stats);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard-cache.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var dom = await HeadlessChromium.RunAsync($"{admin}#token={Token}", 3000, "--dump-dom", $"--screenshot={screenshot}", "--window-size=1280,1100");
        Assert.Equal("ok", Status(dom).Kind);
        Assert.Equal($"({cache.GetProperty("eviction").GetString()} eviction)", Element(dom, "span", "cache-state"));
        var row = Row(dom, "data-cache-route", "api");
        long lookups = 0;
        foreach (var outcome in cache.GetProperty("routes").GetProperty("api").EnumerateObject())
        {
            // Every outcome the gateway reports has its column, whatever the set of outcomes is.
            Assert.Equal(outcome.Value.GetInt64(), Count(CellOf(row, $"data-outcome=\"{outcome.Name}\"")));
            lookups += outcome.Value.GetInt64();
        }
        Assert.Equal(lookups, Count(Element(row, "td", null, "lookups")));
        Assert.Equal((100.0 * Hits / lookups).ToString("F1", CultureInfo.InvariantCulture) + " %", Element(row, "td", null, "hit-ratio"));
        Assert.DoesNotContain("data-cache-route=\"web\"", dom);
        Assert.Equal(cache.GetProperty("entries").GetInt32(), Count(Element(dom, "p", "cache-entries")));
        Assert.Equal(cache.GetProperty("evictions").GetInt64(), Count(Element(dom, "p", "cache-evictions")));
        Assert.Equal(Bytes(cache.GetProperty("bytes").GetInt64()), Element(dom, "span", "cache-bytes"));
        Assert.Equal("8.00 MiB", Element(dom, "span", "cache-budget"));

        var l2 = cache.GetProperty("l2");
        Assert.Equal("connected", L2Part(dom, "connected"));
        Assert.Equal($"breaker {l2.GetProperty("breaker").GetString()}", L2Part(dom, "breaker"));
        foreach (var result in l2.GetProperty("requests").EnumerateObject())
            Assert.Equal($"{result.Name} {result.Value.GetInt64()}", L2Part(dom, result.Name));
        Assert.Equal(2, l2.GetProperty("requests").GetProperty("miss").GetInt64()); // each L1 miss asked Redis
        Assert.Equal("writes 2", L2Part(dom, "writes"));
        Assert.Equal($"errors {l2.GetProperty("errors").GetInt64()}", L2Part(dom, "errors"));
    }

    [Fact]
    public async Task The_rate_limit_panel_shows_each_route_and_policy_with_its_rejections()
    {
        HeadlessChromium.Find();
        await using var upstream = ScriptedUpstream.EchoTarget();
        using var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            [policies.per_ip]
            type = "rate_limit"
            key = "client_ip"
            algorithm = "token_bucket"
            rate = 3
            period = "1h"
            burst = 3
            [policies.per_route]
            type = "rate_limit"
            key = "route"
            algorithm = "sliding_window"
            rate = 1000
            period = "1m"
            [routes.api]
            path = "/api/{**rest}"
            cluster = "backend"
            policies = ["per_ip", "per_route"]
            [routes.web]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["per_route"]
            [admin]
            listen = "127.0.0.1:0"
            token = "{{Token}}"
            """);
        var admin = await gateway.AdminAsync();
        var rejected = 0;
        using (var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port)))
        {
            for (var i = 0; i < 10; i++)
            {
                var status = (await SendAsync(client, $"GET /api/{i}")).Status;
                Assert.True(status is 200 or 429, $"status {status}");
                if (status == 429) rejected++;
            }
            for (var i = 0; i < 3; i++) Assert.Equal(200, (await SendAsync(client, $"GET /page/{i}")).Status);
        }
        Assert.Equal(7, rejected); // 3 in the bucket, the next token 20 minutes away

        using var api = new AdminApi(admin, Token);
        var stats = await api.WaitForStatsAsync(s => Rejected(s, "api", "per_ip") == rejected, $"{rejected} rejections of api/per_ip");
        Assert.Equal((0, 0), (Rejected(stats, "api", "per_route"), Rejected(stats, "web", "per_route")));
        var limit = Limit(stats, "api", "per_ip");
        Assert.Equal(("token_bucket", "client_ip", 3, "1h", 3), (limit.GetProperty("algorithm").GetString(), limit.GetProperty("key").GetString(),
            limit.GetProperty("rate").GetInt32(), limit.GetProperty("period").GetString(), limit.GetProperty("burst").GetInt32()));
        Assert.Equal(JsonValueKind.Null, Limit(stats, "web", "per_route").GetProperty("burst").ValueKind);

        var dom = await HeadlessChromium.RunAsync($"{admin}#token={Token}", 3000, "--dump-dom");
        Assert.Equal("ok", Status(dom).Kind);
        var row = Row(dom, "data-rate-limit", "api/per_ip");
        Assert.Equal(rejected, Count(Element(row, "td", null, "rejected bad")));
        Assert.Contains("<td class=\"name\">3 per 1h, burst 3</td>", row);
        Assert.Contains("<td class=\"name\">client_ip</td>", row);
        Assert.Contains("<span class=\"sub\">token_bucket</span>", row);
        foreach (var route in (string[])["api", "web"])
        {
            var other = Row(dom, "data-rate-limit", $"{route}/per_route");
            Assert.Equal(0, Count(Element(other, "td", null, "rejected zero")));
            Assert.Contains("<td class=\"name\">1,000 per 1m</td>", other);
        }
    }

    private static async Task<HttpResponse> SendAsync(RawClient client, string requestLine, string headers = "")
    {
        client.Send($"{requestLine} HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
        return await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
    }

    private static JsonElement Cache(JsonElement stats) => stats.GetProperty("cache");

    private static long Outcome(JsonElement stats, string outcome) =>
        Cache(stats).GetProperty("routes").GetProperty("api").TryGetProperty(outcome, out var count) ? count.GetInt64() : -1;

    private static JsonElement Limit(JsonElement stats, string route, string policy) => stats.GetProperty("rate_limits").EnumerateArray()
        .Single(l => l.GetProperty("route").GetString() == route && l.GetProperty("policy").GetString() == policy);

    private static long Rejected(JsonElement stats, string route, string policy) => Limit(stats, route, policy).GetProperty("rejected").GetInt64();

    /// <summary>The text of the cell carrying <paramref name="attribute"/> in a row's HTML.</summary>
    private static string CellOf(string row, string attribute)
    {
        var match = System.Text.RegularExpressions.Regex.Match(row, $"<td [^>]*{System.Text.RegularExpressions.Regex.Escape(attribute)}[^>]*>([^<]*)</td>");
        Assert.True(match.Success, $"no cell with {attribute} in {row}");
        return match.Groups[1].Value;
    }

    private static string L2Part(string dom, string part)
    {
        var match = System.Text.RegularExpressions.Regex.Match(dom, $"<span data-l2=\"{part}\"[^>]*>([^<]*)</span>");
        Assert.True(match.Success, $"no L2 {part} in the page:\n{dom}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The page's byte format: B under 1 KiB, then two decimals under 10 of the unit, one above.</summary>
    private static string Bytes(long bytes)
    {
        if (bytes < 1024) return $"{bytes} B";
        string[] units = ["KiB", "MiB", "GiB"];
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
