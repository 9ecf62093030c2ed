namespace FastGate.Tests.Integration;

public class BodylessResponseTests
{
    [Fact]
    public async Task HeadResponseKeepsContentLengthAndHasNoBody()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
                s.Send(request.Method == "HEAD"
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                    : $"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: {request.Target}\r\n\r\nhello");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("5", head.Header("Content-Length"));
        Assert.Null(head.Header("Transfer-Encoding"));

        // Any body bytes after the HEAD response would be read as the start of this next response.
        client.Send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        var next = await client.ReadResponseAsync();
        Assert.Equal(200, next.Status);
        Assert.Equal("/next", next.Header("X-Path"));
        Assert.Equal("hello", next.Body);
        Assert.Equal(1, upstream.AcceptedConnections);
    }

    [Theory]
    [InlineData("304 Not Modified", "")]
    [InlineData("304 Not Modified", "Content-Length: 5\r\n")]
    [InlineData("204 No Content", "")]
    public async Task BodylessStatusHasNoBodyAndTheConnectionStaysUsable(string status, string extra)
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
                s.Send(request.Target == "/bodyless"
                    ? $"HTTP/1.1 {status}\r\nETag: \"v1\"\r\n{extra}\r\n"
                    : $"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: {request.Target}\r\n\r\nhello");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET /bodyless HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = await client.ReadResponseAsync();
        Assert.Equal(int.Parse(status[..3]), first.Status);
        Assert.Equal("\"v1\"", first.Header("ETag"));
        Assert.Null(first.Header("Transfer-Encoding"));
        Assert.Equal(extra == "" ? null : "5", first.Header("Content-Length"));

        client.Send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        var next = await client.ReadResponseAsync();
        Assert.Equal("/next", next.Header("X-Path"));
        Assert.Equal("hello", next.Body);
        Assert.Equal(1, upstream.AcceptedConnections);
    }
}
