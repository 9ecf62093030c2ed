using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Retries of requests with a body (<c>retry.max_body</c>) in the native binary: the body is kept whole and sent again.</summary>
public class BodyRetryTests
{
    /// <summary>Answers 200 with the request's body (its decoded data for a chunked one).</summary>
    private static ScriptedUpstream EchoBody() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Body.Length}\r\n\r\n{request.Body}");
    });

    /// <summary>Reads each request whole, then answers 503.</summary>
    private static ScriptedUpstream Busy() => new(async s =>
    {
        while (await s.ReadRequestAsync() is not null) s.Send("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy");
    });

    /// <summary>Reads each request whole, then resets the connection without an answer.</summary>
    private static ScriptedUpstream Resetting() => new(async s =>
    {
        if (await s.ReadRequestAsync() is not null) s.Reset();
    });

    private static Task<GatewayProcess> StartAsync(ScriptedUpstream first, ScriptedUpstream second, string retry) => GatewayProcess.StartAsync($$"""
        [clusters.backend]
        destinations = ["{{first.EndPoint}}", "{{second.EndPoint}}"]
        retry = {{retry}}
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """);

    private static string Body(int length) => string.Create(length, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + i % 26);
    });

    [Theory]
    [InlineData("busy")]
    [InlineData("reset")]
    public async Task A_small_body_is_sent_again_whole_to_the_next_destination_and_the_connection_stays_usable(string failure)
    {
        await using var failing = failure == "busy" ? Busy() : Resetting();
        await using var echo = EchoBody();
        using var gateway = await StartAsync(failing, echo, "{ attempts = 2, on = [\"503\", \"reset\"], backoff = \"0s\" }");
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var body = Body(3000);
        for (var i = 0; i < 4; i++)
        {
            client.Send($"PUT /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n{body}");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, body), (response.Status, response.Body));
        }
        Assert.Equal(4, echo.Requests.Count);
        Assert.All(failing.Requests, r => Assert.Equal(body, r.Body)); // the failing one had the whole body too
        Assert.InRange(failing.Requests.Count, 1, 4); // where first attempts went depends on round robin, which retries move too
    }

    [Fact]
    public async Task A_chunked_body_sent_in_pieces_is_kept_and_relayed_again_with_its_trailers()
    {
        await using var failing = Busy();
        await using var echo = EchoBody();
        using var gateway = await StartAsync(failing, echo, "{ attempts = 2, on = [\"503\"], backoff = \"0s\" }");
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        for (var i = 0; i < 2; i++)
        {
            client.Send($"DELETE /{i} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            await Task.Delay(50);
            client.Send("6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, "hello world"), (response.Status, response.Body));
        }
        var retried = failing.Requests.First();
        var echoed = echo.Requests.ToArray();
        Assert.Equal(2, echoed.Length);
        Assert.All(echoed, e => Assert.Equal((retried.Body, retried.Trailers), (e.Body, e.Trailers)));
        Assert.Contains("X-Sum: 1", echoed[0].Trailers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_max_body_streams_once_and_the_first_answer_is_relayed()
    {
        await using var failing = Busy();
        await using var alsoFailing = Busy();
        using var gateway = await StartAsync(failing, alsoFailing, "{ attempts = 2, on = [\"503\"], backoff = \"0s\", max_body = \"1KiB\" }");
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var small = Body(1024);
        client.Send($"PUT /small HTTP/1.1\r\nHost: a\r\nContent-Length: {small.Length}\r\n\r\n{small}");
        Assert.Equal(503, (await client.ReadResponseAsync()).Status);
        Assert.Equal(2, failing.Requests.Count + alsoFailing.Requests.Count); // kept: retried once

        var large = Body(1025);
        client.Send($"PUT /large HTTP/1.1\r\nHost: a\r\nContent-Length: {large.Length}\r\n\r\n{large}");
        Assert.Equal(503, (await client.ReadResponseAsync()).Status);
        Assert.Equal(3, failing.Requests.Count + alsoFailing.Requests.Count); // streamed: one attempt
        Assert.Contains(failing.Requests.Concat(alsoFailing.Requests), r => r.Target == "/large" && r.Body == large);
    }

    [Fact]
    public async Task A_post_with_a_body_is_not_retried_by_default_and_max_body_zero_retries_no_body()
    {
        await using var failing = Busy();
        await using var echo = EchoBody();
        using var gateway = await StartAsync(failing, echo, "{ on = [\"503\"], backoff = \"0s\" }");
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            client.Send($"POST /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            statuses.Add((await client.ReadResponseAsync()).Status);
        }
        Assert.Equal(2, statuses.Count(s => s == 503));

        using var never = await StartAsync(failing, echo, "{ on = [\"503\"], backoff = \"0s\", max_body = 0 }");
        using var other = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, never.Port));
        statuses.Clear();
        for (var i = 0; i < 4; i++)
        {
            other.Send($"PUT /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            statuses.Add((await other.ReadResponseAsync()).Status);
        }
        Assert.Equal(2, statuses.Count(s => s == 503));
    }

    [Fact]
    public async Task A_body_sent_after_the_gateways_100_continue_is_kept_and_retried()
    {
        await using var failing = Busy();
        await using var echo = EchoBody();
        using var gateway = await StartAsync(failing, echo, "{ attempts = 2, on = [\"503\"], backoff = \"0s\" }");
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        for (var i = 0; i < 2; i++)
        {
            client.Send($"PUT /{i} HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            Assert.Equal(100, (await client.ReadResponseAsync()).Status);
            client.Send("hello");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, "hello"), (response.Status, response.Body));
        }
        Assert.InRange(failing.Requests.Count, 1, 2);
    }
}
