using System.Net;
using System.Net.Http;
using System.Text.Json;
using FastGate.Tests.Integration;
using FastGate.Tests.Resilience;

namespace FastGate.Tests.Process;

/// <summary>
/// Outlier detection and the circuit breaker in the shipped binary: each state change shows in /admin/upstreams,
/// /metrics and the error log, and an open cluster answers a fast 503 with Retry-After.
/// </summary>
public sealed class PassiveHealthProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static Task<GatewayProcess> StartAsync(string clusters) => GatewayProcess.StartAsync(clusters + """

        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """);

    private static async Task<int> GetAsync(RawClient client)
    {
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        return (await client.ReadResponseAsync()).Status;
    }

    private static async Task<JsonElement> DestinationAsync(HttpClient admin, IPEndPoint upstream)
    {
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/admin/upstreams"));
        return document.RootElement.EnumerateArray().Single(d => d.GetProperty("address").GetString() == upstream.ToString()).Clone();
    }

    private static async Task<JsonElement> PollAsync(HttpClient admin, IPEndPoint upstream, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var destination = await DestinationAsync(admin, upstream);
            if (done(destination)) return destination;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {destination}");
            await Task.Delay(20);
        }
    }

    private static string Sample(string metrics, string series) =>
        metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Split(' ')[1];

    [Fact]
    public async Task Consecutive_failures_eject_for_longer_each_time_and_every_change_is_reported()
    {
        await using var sick = new SwitchableUpstream { Status = 500 };
        await using var well = new SwitchableUpstream();
        using var gateway = await StartAsync($$"""
            [clusters.backend]
            destinations = ["{{sick.EndPoint}}", "{{well.EndPoint}}"]
            [clusters.backend.outlier]
            consecutive_failures = 3
            base_ejection = "1s"
            max_ejection = "3s"
            max_ejection_percent = 50
            """);
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var labels = $"{{cluster=\"backend\",destination=\"{sick.EndPoint}\"}}";

        var statuses = new List<int>();
        for (var i = 0; i < 5; i++) statuses.Add(await GetAsync(client));
        Assert.Equal([500, 200, 500, 200, 500], statuses);
        var ejected = await PollAsync(admin, sick.EndPoint, d => d.GetProperty("outlier").GetProperty("ejected").GetBoolean(), "the ejection");
        Assert.Equal(1, ejected.GetProperty("outlier").GetProperty("ejections").GetInt64());
        Assert.True(ejected.GetProperty("outlier").GetProperty("ejected_until").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(-1));
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) ==
            $"outlier: {sick.EndPoint} of cluster \"backend\" ejected for 1s after 3 failed attempts in a row (ejection 1 in a row)", Timeout);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("1", Sample(metrics, "fastgate_outlier_ejections_total" + labels));
        Assert.Equal("1", Sample(metrics, "fastgate_upstream_ejected" + labels));

        for (var i = 0; i < 4; i++) Assert.Equal(200, await GetAsync(client));
        Assert.Equal(3, sick.Requests); // none while ejected

        await PollAsync(admin, sick.EndPoint, d => !d.GetProperty("outlier").GetProperty("ejected").GetBoolean(), "the return");
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == $"outlier: {sick.EndPoint} of cluster \"backend\" returned after its ejection", Timeout);
        Assert.Equal("0", Sample(await admin.GetStringAsync("/metrics"), "fastgate_upstream_ejected" + labels));

        // Back, it fails three more times: the second ejection in a row is twice as long.
        var from = gateway.LineCount;
        while (sick.Requests < 6) await GetAsync(client);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) ==
            $"outlier: {sick.EndPoint} of cluster \"backend\" ejected for 2s after 3 failed attempts in a row (ejection 2 in a row)", Timeout, from);
        Assert.Equal("2", Sample(await admin.GetStringAsync("/metrics"), "fastgate_outlier_ejections_total" + labels));
    }

    [Fact]
    public async Task The_breaker_opens_answers_503_with_retry_after_goes_half_open_and_a_good_trial_closes_it()
    {
        await using var upstream = new SwitchableUpstream { Status = 503 };
        using var gateway = await StartAsync($$"""
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            circuit_breaker = { failure_rate = 50, window = "10s", min_requests = 4, open_duration = "2s", half_open_requests = 1 }
            """);
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var labels = $"cluster=\"backend\",destination=\"{upstream.EndPoint}\"";

        for (var i = 0; i < 4; i++) Assert.Equal(503, await GetAsync(client));
        var open = await PollAsync(admin, upstream.EndPoint, d => d.GetProperty("circuit_breaker").GetProperty("state").GetString() == "open", "the breaker to open");
        var breaker = open.GetProperty("circuit_breaker");
        Assert.Equal((4, 4, 1), (breaker.GetProperty("window_requests").GetInt32(), breaker.GetProperty("window_failures").GetInt32(), breaker.GetProperty("opened").GetInt32()));
        Assert.Equal(JsonValueKind.String, breaker.GetProperty("half_open_at").ValueKind);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) ==
            $"circuit breaker: {upstream.EndPoint} of cluster \"backend\" opened (4 of 4 attempts failed within 10s); half-open in 2s", Timeout);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("1", Sample(metrics, $"fastgate_circuit_breaker_state{{{labels}}}"));
        Assert.Equal("1", Sample(metrics, $"fastgate_circuit_breaker_transitions_total{{{labels},to=\"open\"}}"));

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var fast = await client.ReadResponseAsync();
        Assert.Equal(503, fast.Status);
        Assert.InRange(int.Parse(fast.Header("Retry-After")!), 1, 2);
        Assert.Equal(4, upstream.Requests);

        upstream.Status = 200;
        await PollAsync(admin, upstream.EndPoint, d => d.GetProperty("circuit_breaker").GetProperty("state").GetString() == "half_open", "half-open");
        Assert.Equal("2", Sample(await admin.GetStringAsync("/metrics"), $"fastgate_circuit_breaker_state{{{labels}}}"));
        Assert.Equal(200, await GetAsync(client)); // the one trial
        await PollAsync(admin, upstream.EndPoint, d => d.GetProperty("circuit_breaker").GetProperty("state").GetString() == "closed", "the breaker to close");
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) ==
            $"circuit breaker: {upstream.EndPoint} of cluster \"backend\" closed after 1 successful trial requests", Timeout);
        metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("0", Sample(metrics, $"fastgate_circuit_breaker_state{{{labels}}}"));
        Assert.Equal(["1", "1", "1"], [.. new[] { "open", "half_open", "closed" }.Select(to => Sample(metrics, $"fastgate_circuit_breaker_transitions_total{{{labels},to=\"{to}\"}}"))]);
        Assert.Equal(200, await GetAsync(client));
        Assert.Equal(6, upstream.Requests);
    }
}
