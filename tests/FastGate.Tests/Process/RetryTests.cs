using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Retries (clusters.NAME.retry) in the native binary, over real sockets.</summary>
public class RetryTests
{
    private static ScriptedUpstream Status(int status, string body)
    {
        var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send($"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        });
        return upstream;
    }

    private static Task<GatewayProcess> StartAsync(string destinations, string retry) => GatewayProcess.StartAsync($$"""
        [clusters.backend]
        destinations = [{{destinations}}]
        retry = {{retry}}
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """);

    private static async Task<List<HttpResponse>> SendAsync(GatewayProcess gateway, int count, string method = "GET")
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var responses = new List<HttpResponse>();
        for (var i = 0; i < count; i++)
        {
            client.Send($"{method} /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            responses.Add(await client.ReadResponseAsync());
        }
        return responses;
    }

    private static async Task<long> MetricAsync(GatewayProcess gateway, string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(await gateway.AdminAsync(), "/metrics"));
        return long.Parse(text.Split('\n').Single(l => l.StartsWith(name + "{cluster=\"backend\"}", StringComparison.Ordinal)).Split(' ')[1]);
    }

    [Fact]
    public async Task A_refused_connect_is_retried_at_the_other_destination()
    {
        await using var alive = ScriptedUpstream.Ok("alive");
        using var refusing = new RefusingPort();
        using var gateway = await StartAsync($"\"{refusing.EndPoint}\", \"{alive.EndPoint}\"", "{ attempts = 2, on = [\"connect_failure\"], backoff = \"1ms\" }");
        var responses = await SendAsync(gateway, 10);
        Assert.All(responses, r => Assert.Equal((200, "alive"), (r.Status, r.Body)));
        // Every first attempt that met the refusing destination was retried (how many did depends on round robin,
        // whose cursor the retries move too).
        Assert.InRange(await MetricAsync(gateway, "fastgate_upstream_retries_total"), 5, 10);
    }

    [Fact]
    public async Task A_listed_status_is_retried_elsewhere_and_the_last_attempts_answer_is_relayed()
    {
        await using var failing = Status(503, "busy");
        await using var healthy = ScriptedUpstream.Ok("ok");
        using var gateway = await StartAsync($"\"{failing.EndPoint}\", \"{healthy.EndPoint}\"", "{ attempts = 2, on = [\"503\"], backoff = \"0s\" }");
        Assert.All(await SendAsync(gateway, 8), r => Assert.Equal((200, "ok"), (r.Status, r.Body)));
        Assert.Equal(failing.Requests.Count, await MetricAsync(gateway, "fastgate_upstream_retries_total"));
        Assert.Equal(8, healthy.Requests.Count); // each answered once, by the healthy one

        await using var alsoFailing = Status(503, "busy too");
        using var hopeless = await StartAsync($"\"{failing.EndPoint}\", \"{alsoFailing.EndPoint}\"", "{ attempts = 3, on = [\"503\"], backoff = \"0s\" }");
        var before = failing.Requests.Count + alsoFailing.Requests.Count;
        var last = Assert.Single(await SendAsync(hopeless, 1));
        Assert.Equal(503, last.Status);
        Assert.Equal(3, failing.Requests.Count + alsoFailing.Requests.Count - before); // three attempts, the last one relayed
    }

    [Fact]
    public async Task A_non_idempotent_method_is_not_retried_unless_listed()
    {
        await using var failing = Status(502, "bad");
        await using var healthy = ScriptedUpstream.Ok("ok");
        using var gateway = await StartAsync($"\"{failing.EndPoint}\", \"{healthy.EndPoint}\"", "{ on = [\"502\"], backoff = \"0s\" }");
        var posts = await SendAsync(gateway, 6, "POST");
        Assert.Equal(3, posts.Count(r => r.Status == 502));

        using var listed = await StartAsync($"\"{failing.EndPoint}\", \"{healthy.EndPoint}\"", "{ on = [\"502\"], methods = [\"POST\"], backoff = \"0s\" }");
        Assert.All(await SendAsync(listed, 6, "POST"), r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task The_budget_caps_retries_of_a_sick_cluster()
    {
        await using var failing = Status(503, "busy");
        using var gateway = await StartAsync($"\"{failing.EndPoint}\"", "{ attempts = 2, on = [\"503\"], backoff = \"0s\", budget_percent = 0 }");
        var responses = await SendAsync(gateway, 150);
        Assert.All(responses, r => Assert.Equal(503, r.Status));
        var retries = failing.Requests.Count - 150;
        // budget_percent = 0 leaves only the floor of 10 retries a second over the 10 s window.
        Assert.InRange(retries, 100, 115);
        Assert.Equal(retries, await MetricAsync(gateway, "fastgate_upstream_retries_total"));
        Assert.Equal(150 - retries, await MetricAsync(gateway, "fastgate_upstream_retry_budget_exhausted_total"));
    }
}
