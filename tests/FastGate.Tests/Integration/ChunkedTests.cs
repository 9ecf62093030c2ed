namespace FastGate.Tests.Integration;

public class ChunkedTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ChunkedRequestIsReframedWithTrailerKept()
    {
        await using var upstream = ScriptedUpstream.Ok("ok");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("hello world", request.Body);
        Assert.Equal("X-Checksum: abc\r\n", request.Trailers);
        Assert.Equal("chunked", request.Header("Transfer-Encoding"));
        Assert.Null(request.Header("Content-Length"));
        var framing = request.Raw[(request.Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal("5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n", framing);
    }

    [Fact]
    public async Task ChunkedResponseWithTrailerReachesAnHttp11ClientChunked()
    {
        await using var upstream = ChunkedUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("hello world", response.Body);
        Assert.Equal("X-Checksum: abc\r\n", response.Trailers);

        client.Send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("hello world", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task ChunkedResponseReachesAnHttp10ClientDechunkedAndTheConnectionCloses()
    {
        await using var upstream = ChunkedUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.0\r\nHost: a\r\n\r\n");
        var all = await client.ReadToEndAsync(Wait);

        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, all);
        var head = new HttpResponse(0, all[..split], "");
        Assert.StartsWith("HTTP/1.1 200", all);
        Assert.Null(head.Header("Transfer-Encoding"));
        Assert.Equal("close", head.Header("Connection"));
        Assert.Equal("hello world", all[(split + 4)..]);
    }

    [Fact]
    public async Task OtherTransferCodingsBeforeChunkedStayDeclared()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4\r\nGZIP\r\n0\r\n\r\n");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);

        using var modern = gateway.Connect();
        modern.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await modern.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("gzip, chunked", response.Header("Transfer-Encoding"));
        Assert.Equal("GZIP", response.Body);

        // HTTP/1.0 has no transfer codings: the gzip-coded body cannot be delivered as it is.
        using var legacy = gateway.Connect();
        legacy.Send("GET / HTTP/1.0\r\nHost: a\r\n\r\n");
        Assert.Equal(502, (await legacy.ReadResponseAsync()).Status);
    }

    private static ScriptedUpstream ChunkedUpstream() => new(async s =>
    {
        while (await s.ReadRequestAsync() is not null)
            s.Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
                   "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");
    });
}
