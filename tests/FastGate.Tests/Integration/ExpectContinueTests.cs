namespace FastGate.Tests.Integration;

public class ExpectContinueTests
{
    [Fact]
    public async Task ClientGets100ContinueBeforeSendingTheBody()
    {
        await using var upstream = ScriptedUpstream.Ok("done");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));
        Assert.Equal(100, interim.Status);
        Assert.StartsWith("HTTP/1.1 100 Continue", interim.Head);

        client.Send("hello");
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("done", response.Body);
        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("hello", request.Body);
        Assert.Null(request.Header("Expect"));
    }

    [Fact]
    public async Task Http10ExpectationIsIgnored()
    {
        await using var upstream = ScriptedUpstream.Ok("done");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored; 1xx is never sent to 1.0 clients.
        client.Send("POST /form HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
        var all = await client.ReadToEndAsync(TimeSpan.FromSeconds(5));

        Assert.StartsWith("HTTP/1.1 200 OK", all);
        Assert.EndsWith("done", all);
    }
}
