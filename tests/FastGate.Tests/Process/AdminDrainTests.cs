using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>
/// <c>POST /admin/upstreams/{cluster}/{destination}/drain</c> and <c>/undrain</c> on the shipped binary, in front of two
/// upstreams that answer with their own name.
/// </summary>
public sealed class AdminDrainTests : IAsyncDisposable
{
    private const string Token = "drain-T0ken";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource<string> _slowArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ScriptedUpstream _a;
    private readonly ScriptedUpstream _b;

    public AdminDrainTests()
    {
        _a = Named("A");
        _b = Named("B");
    }

    public async ValueTask DisposeAsync()
    {
        _releaseSlow.TrySetResult();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    /// <summary>Answers with its name; a request for /slow waits until the test releases it.</summary>
    private ScriptedUpstream Named(string name) => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            if (request.Target == "/slow")
            {
                _slowArrived.TrySetResult(name);
                await _releaseSlow.Task;
            }
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {name.Length}\r\n\r\n{name}");
        }
    });

    private ScriptedUpstream ByName(string name) => name == "A" ? _a : _b;

    private async Task<(GatewayProcess Gateway, HttpClient Admin)> StartAsync()
    {
        var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = ["{{_a.EndPoint}}", "{{_b.EndPoint}}"]
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            [admin]
            listen = "127.0.0.1:0"
            token = "{{Token}}"
            """);
        var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return (gateway, admin);
    }

    private static string DrainPath(ScriptedUpstream upstream, string action, string cluster = "backend") =>
        $"/admin/upstreams/{cluster}/{Uri.EscapeDataString(upstream.EndPoint.ToString())}/{action}";

    [Fact]
    public async Task A_drained_destination_gets_no_new_requests_finishes_its_slow_one_keeps_no_connection_and_undrain_brings_it_back()
    {
        var (gateway, admin) = await StartAsync();
        using var _ = gateway;
        using var __ = admin;
        var proxy = new IPEndPoint(IPAddress.Loopback, gateway.Port);
        using var client = RawClient.Connect(proxy);
        Assert.Equal(["A", "B"], await AnswerersAsync(client, 6));

        using var slowClient = RawClient.Connect(proxy);
        slowClient.Send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
        var drainedName = await _slowArrived.Task.WaitAsync(Timeout);
        var drained = ByName(drainedName);
        var other = drainedName == "A" ? "B" : "A";

        var response = await admin.PostAsync(DrainPath(drained, "drain"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.True(report.RootElement.GetProperty("draining").GetBoolean());
            Assert.Equal(1, report.RootElement.GetProperty("in_flight").GetInt32());
            Assert.Equal(0, report.RootElement.GetProperty("idle_connections").GetInt32());
            Assert.Equal(1, report.RootElement.GetProperty("cluster_available").GetInt32());
        }
        Assert.Equal([other], await AnswerersAsync(client, 20));
        using (var fresh = RawClient.Connect(proxy)) Assert.Equal([other], await AnswerersAsync(fresh, 4));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);
        Assert.True(Destination(await admin.GetStringAsync("/admin/upstreams"), drained).GetProperty("draining").GetBoolean());
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal("1", Sample(metrics, "fastgate_upstream_draining", drained));
        Assert.Equal("0", Sample(metrics, "fastgate_upstream_draining", ByName(other)));

        // The request in flight when the drain began completes, and its connection is closed, not pooled.
        _releaseSlow.SetResult();
        var slow = await slowClient.ReadResponseAsync(timeout: Timeout);
        Assert.Equal((200, drainedName), (slow.Status, slow.Body));
        await PollAsync(async () => Destination(await admin.GetStringAsync("/admin/upstreams"), drained).GetProperty("open_connections").GetInt32() == 0,
            "the drained destination's connections closed");

        response = await admin.PostAsync(DrainPath(drained, "undrain"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"draining\": false", await response.Content.ReadAsStringAsync());
        Assert.Equal(["A", "B"], await AnswerersAsync(client, 6));
        Assert.Equal("0", Sample(await admin.GetStringAsync("/metrics"), "fastgate_upstream_draining", drained));
    }

    [Fact]
    public async Task With_every_destination_drained_the_cluster_answers_503_and_is_not_ready_and_bad_names_methods_and_tokens_are_refused()
    {
        var (gateway, admin) = await StartAsync();
        using var _ = gateway;
        using var __ = admin;
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(DrainPath(_a, "drain"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(DrainPath(_b, "drain"), null)).StatusCode);
        client.Send("GET /x HTTP/1.1\r\nHost: test\r\n\r\n");
        Assert.Equal(503, (await client.ReadResponseAsync(timeout: Timeout)).Status);
        var ready = await admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"backend\"", await ready.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(DrainPath(_b, "undrain"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);
        Assert.Equal(["B"], await AnswerersAsync(client, 4));

        var unknownCluster = await admin.PostAsync(DrainPath(_a, "drain", cluster: "nope"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknownCluster.StatusCode);
        Assert.Equal("no cluster \"nope\" in the running config", await ErrorOf(unknownCluster));
        var unknownDestination = await admin.PostAsync("/admin/upstreams/backend/127.0.0.1%3A1/drain", null);
        Assert.Equal(HttpStatusCode.NotFound, unknownDestination.StatusCode);
        Assert.Equal("application/json", unknownDestination.Content.Headers.ContentType?.MediaType);
        Assert.Equal("cluster \"backend\" has no destination \"127.0.0.1:1\"", await ErrorOf(unknownDestination));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.GetAsync(DrainPath(_a, "drain"))).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = admin.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(DrainPath(_b, "drain"), null)).StatusCode);
        Assert.Equal(["B"], await AnswerersAsync(client, 2));
    }

    /// <summary>Sends <paramref name="count"/> GETs on the connection; the distinct upstream names that answered, sorted.</summary>
    private static async Task<string[]> AnswerersAsync(RawClient client, int count)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            client.Send($"GET /n/{i} HTTP/1.1\r\nHost: test\r\n\r\n");
            var response = await client.ReadResponseAsync(timeout: Timeout);
            Assert.Equal(200, response.Status);
            names.Add(response.Body);
        }
        return [.. names];
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetString();
    }

    private static JsonElement Destination(string upstreams, ScriptedUpstream upstream)
    {
        using var document = JsonDocument.Parse(upstreams);
        return document.RootElement.EnumerateArray().Single(d => d.GetProperty("address").GetString() == upstream.EndPoint.ToString()).Clone();
    }

    private static string Sample(string metrics, string name, ScriptedUpstream upstream)
    {
        var labels = $"cluster=\"backend\",destination=\"{upstream.EndPoint}\"";
        var match = Regex.Match(metrics, $"^{Regex.Escape(name)}\\{{{Regex.Escape(labels)}\\}} (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no {name}{{{labels}}} in the scrape");
        return match.Groups[1].Value;
    }

    private static async Task PollAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
