namespace FastGate.Tests.Integration;

public class CloseDelimitedResponseTests
{
    [Fact]
    public async Task CloseDelimitedBodyIsChunkedForAnHttp11ClientAndTheUpstreamConnectionIsNotReused()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            if (await s.ReadRequestAsync() is not { } request) return;
            s.Send($"HTTP/1.1 200 OK\r\nX-Path: {request.Target}\r\n\r\nfirst part, ");
            await Task.Delay(50);
            s.Send("second part");
            s.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = await client.ReadResponseAsync();
        Assert.Equal(200, first.Status);
        Assert.Equal("chunked", first.Header("Transfer-Encoding"));
        Assert.Null(first.Header("Connection"));
        Assert.Equal("first part, second part", first.Body);

        client.Send("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
        var second = await client.ReadResponseAsync();
        Assert.Equal("/two", second.Header("X-Path"));
        Assert.Equal("first part, second part", second.Body);
        Assert.Equal(2, upstream.AcceptedConnections);
    }
}
