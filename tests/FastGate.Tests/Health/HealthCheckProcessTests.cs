using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;
using FastGate.Tests.Process;

namespace FastGate.Tests.Health;

/// <summary>
/// Active health checks in the shipped binary, configured as a <c>[clusters.NAME.health]</c> table: a destination
/// failing its probes gets no requests, survives an unchanged reload unhealthy, comes back; each change is a log
/// line, a field of <c>/admin/upstreams</c> and a metric that passes promtool.
/// </summary>
public sealed class HealthCheckProcessTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly HealthEndpoint _a = new("A");
    private readonly HealthEndpoint _b = new("B");

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private string Config => $$"""
        [clusters.backend]
        destinations = ["{{_a.EndPoint}}", "{{_b.EndPoint}}"]

        [clusters.backend.health]
        type = "http"
        path = "/healthz"
        interval = "400ms"
        timeout = "400ms"
        healthy_threshold = 2
        unhealthy_threshold = 3

        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """;

    [Fact]
    public async Task A_failing_destination_gets_no_requests_stays_out_across_an_unchanged_reload_and_comes_back_with_logs_admin_and_metrics()
    {
        using var gateway = await GatewayProcess.StartAsync(Config);
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var b = _b.EndPoint.ToString();

        var upstreams = await PollAsync(admin, u => Health(u, b).GetProperty("consecutive_passes").GetInt64() >= 2, "b's first passing checks");
        Assert.Equal(("healthy", "http", "backend"), (Health(upstreams, b).GetProperty("status").GetString(), Health(upstreams, b).GetProperty("type").GetString(),
            Health(upstreams, b).GetProperty("cluster").GetString()));
        Assert.Equal(["A", "B"], await AnswerersAsync(client, 6));

        // A loaded machine may have timed a probe out already: count the changes from here.
        var before = await admin.GetStringAsync("/metrics");
        var wentDown = Value(before, "fastgate_health_transitions_total", b, ",to=\"unhealthy\"");
        var cameBack = Value(before, "fastgate_health_transitions_total", b, ",to=\"healthy\"");
        var from = gateway.LineCount;
        _b.Default = (503, "");
        var down = await gateway.WaitForLineAsync(l => l.Contains($"destination {b} is unhealthy", StringComparison.Ordinal), Patience, from);
        Assert.Equal($"upstream backend destination {b} is unhealthy: 3 http health checks failed in a row (last: status 503)", GatewayProcess.Message(down));
        Assert.Contains("[warn]", down);
        Assert.Equal(["A"], await AnswerersAsync(client, 20));
        var requestsToB = _b.Requests;

        upstreams = await admin.GetStringAsync("/admin/upstreams");
        var health = Health(upstreams, b);
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        var last = health.GetProperty("history").EnumerateArray().Last();
        Assert.Equal((false, "status 503"), (last.GetProperty("ok").GetBoolean(), last.GetProperty("reason").GetString()));
        Assert.True(last.GetProperty("latency_ms").GetDouble() > 0);
        Assert.True(DateTimeOffset.UtcNow - last.GetProperty("time").GetDateTimeOffset() < Patience);
        Assert.Equal("healthy", Health(upstreams, _a.EndPoint.ToString()).GetProperty("status").GetString());

        var metrics = await admin.GetStringAsync("/metrics");
        var (exit, output) = await AdminListenerTests.PromtoolCheckAsync(metrics);
        Assert.True(exit == 0, $"promtool: {output}");
        Assert.Equal(0, Value(metrics, "fastgate_upstream_healthy", b));
        Assert.Equal(1, Value(metrics, "fastgate_upstream_healthy", _a.EndPoint.ToString()));
        Assert.Equal(wentDown + 1, Value(metrics, "fastgate_health_transitions_total", b, ",to=\"unhealthy\""));
        Assert.Equal(cameBack, Value(metrics, "fastgate_health_transitions_total", b, ",to=\"healthy\""));
        Assert.True(Value(metrics, "fastgate_health_checks_total", b, ",result=\"fail\"") >= 2);
        Assert.True(Value(metrics, "fastgate_health_checks_total", b, ",result=\"ok\"") >= 2);

        from = gateway.LineCount;
        gateway.Reload();
        await gateway.WaitForLineAsync(l => l.Contains("config reloaded", StringComparison.Ordinal), Patience, from);
        Assert.Equal("unhealthy", Health(await admin.GetStringAsync("/admin/upstreams"), b).GetProperty("status").GetString());
        Assert.Equal(["A"], await AnswerersAsync(client, 10));
        Assert.Equal(requestsToB, _b.Requests);

        from = gateway.LineCount;
        _b.Default = (200, "ok");
        var up = await gateway.WaitForLineAsync(l => l.Contains($"destination {b} is healthy again", StringComparison.Ordinal), Patience, from);
        Assert.Equal($"upstream backend destination {b} is healthy again: 2 http health checks passed in a row", GatewayProcess.Message(up));
        Assert.Contains("[notice]", up);
        Assert.Equal(["A", "B"], await AnswerersAsync(client, 6));
        metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal(1, Value(metrics, "fastgate_upstream_healthy", b));
        Assert.Equal(cameBack + 1, Value(metrics, "fastgate_health_transitions_total", b, ",to=\"healthy\""));
        Assert.Equal(1, Value(metrics, "fastgate_upstream_slow_start_ratio", b));
    }

    private static JsonElement Health(string upstreams, string address)
    {
        using var document = JsonDocument.Parse(upstreams);
        return document.RootElement.EnumerateArray().Single(d => d.GetProperty("address").GetString() == address).GetProperty("health").Clone();
    }

    private static async Task<string> PollAsync(HttpClient admin, Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var upstreams = await admin.GetStringAsync("/admin/upstreams");
            if (done(upstreams)) return upstreams;
            if (DateTime.UtcNow > deadline) Assert.Fail($"/admin/upstreams never showed {what}:\n{upstreams}");
            await Task.Delay(50);
        }
    }

    /// <summary>The distinct bodies (upstream names) of <paramref name="count"/> requests, sorted.</summary>
    private static async Task<string[]> AnswerersAsync(RawClient client, int count)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            client.Send($"GET /work/{i} HTTP/1.1\r\nHost: test\r\n\r\n");
            var response = await client.ReadResponseAsync(timeout: Patience);
            Assert.Equal(200, response.Status);
            names.Add(response.Body);
        }
        return [.. names];
    }

    private static double Value(string metrics, string name, string destination, string extraLabels = "")
    {
        var labels = $"cluster=\"backend\",destination=\"{destination}\"{extraLabels}";
        var match = Regex.Match(metrics, $"^{Regex.Escape(name)}\\{{{Regex.Escape(labels)}\\}} (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no {name}{{{labels}}} in:\n{metrics}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
