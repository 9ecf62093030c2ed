using FastGate.Http;
namespace FastGate.Tests.Integration;

/// <summary>Exchanges beyond the plain request/response: early answers, interim responses, stale pooled connections.</summary>
public class EdgeCaseTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task EarlyUpstreamAnswerReachesTheClientWithConnectionClose()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            s.Send("HTTP/1.1 413 Content Too Large\r\nContent-Length: 7\r\n\r\ntoo big");
            await s.WaitForCloseAsync(Wait);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n");
        var sending = Task.Run(() =>
        {
            try { for (var i = 0; i < 100; i++) client.Send(new byte[10_000]); }
            catch (System.Net.Sockets.SocketException) { } // the gateway may stop reading and close
        });
        var response = await client.ReadResponseAsync();

        Assert.Equal(413, response.Status);
        Assert.Equal("too big", response.Body);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedAsync(Wait));
        await sending.WaitAsync(Wait);
    }

    [Fact]
    public async Task UpstreamRejectingAnExpectContinueBodyIsRelayed()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            s.Send("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope");
            await s.WaitForCloseAsync(Wait);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var first = await client.ReadResponseAsync();
        if (first.Status == 100)
        {
            client.Send("hello");
            first = await client.ReadResponseAsync();
        }

        Assert.Equal(401, first.Status);
        Assert.Equal("nope", first.Body);
    }

    [Fact]
    public async Task InterimResponsesAreForwardedToHttp11ClientsOnly()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);

        using (var http11 = gateway.Connect())
        {
            http11.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var hints = await http11.ReadResponseAsync();
            Assert.Equal(103, hints.Status);
            Assert.Equal("</style.css>; rel=preload", hints.Header("Link"));
            Assert.Equal("ok", (await http11.ReadResponseAsync()).Body);
        }

        using var http10 = gateway.Connect();
        http10.Send("GET / HTTP/1.0\r\nHost: a\r\n\r\n");
        var all = await http10.ReadToEndAsync(Wait);
        Assert.StartsWith("HTTP/1.1 200 OK", all); // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client
    }

    [Fact]
    public async Task UpstreamClosingAnIdleConnectionIsTransparentForTheNextGet()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            if (await s.ReadRequestAsync() is not { } request) return;
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Path: {request.Target}\r\n\r\nok");
            await Task.Delay(50); // closes after answering, without saying so: the pooled connection goes stale
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 3; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/{i}", response.Header("X-Path"));
            await Task.Delay(150);
        }
        Assert.Equal(3, upstream.AcceptedConnections);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "hello")]
    public async Task AnIdleConnectionTheUpstreamClosedIsNotUsedEvenForABody(string method, string body)
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            if (await s.ReadRequestAsync() is not { } request) return;
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Body.Length}\r\n\r\n{request.Body}");
            // then closes, without saying so
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 2; i++)
        {
            client.Send($"{method} / HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n{body}");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, body), (response.Status, response.Body));
            await Task.Delay(150);
        }
        Assert.Equal(2, upstream.AcceptedConnections);
        Assert.Equal(2, upstream.Requests.Count);
    }

    /// <summary>A pooled connection closed after the request reached it: only an idempotent request is sent again.</summary>
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 200, 3)]
    [InlineData("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", 200, 3)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 502, 2)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 502, 2)]
    public async Task ARequestThatMayHaveBeenProcessedIsNeverSentTwice(string second, int status, int requestsSeen)
    {
        var sessions = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            var first = Interlocked.Increment(ref sessions) == 1;
            for (var answered = 0; await s.ReadRequestAsync() is not null; answered++)
            {
                // The first connection answers once, then takes the next request and closes without an answer.
                if (first && answered == 1) return;
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        client.Send(second);
        var response = await client.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal(requestsSeen, upstream.Requests.Count);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")]
    [InlineData("")]
    public async Task InvalidOrMissingUpstreamResponseGives502(string answer)
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send(answer);
            s.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await s.WaitForCloseAsync(Wait);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ResponseWithBothFramingsIsRelayedChunkedAndTheUpstreamIsNotReused()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 2; i++)
        {
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("ok", response.Body);
            Assert.Null(response.Header("Content-Length"));
        }
        Assert.Equal(2, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task ClientConnectionCloseIsHonoured()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Null(request.Header("Connection"));
    }

    [Fact]
    public async Task Http10KeepAliveClientKeepsItsConnection()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 2; i++)
        {
            client.Send($"GET /{i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("keep-alive", response.Header("Connection"));
            Assert.Equal($"/{i}", response.Header("X-Path"));
        }
    }

    [Fact]
    public async Task AbsoluteFormTargetIsForwardedInOriginForm()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET http://example.org/a/b?c=d HTTP/1.1\r\nHost: ignored.example\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal("/a/b?c=d", response.Header("X-Path"));
        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("example.org", request.Header("Host"));
    }

    [Fact]
    public async Task InvalidChunkInTheRequestBodyGives400AndCloses()
    {
        var upstreamClosed = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            upstreamClosed.SetResult(await s.WaitForCloseAsync(Wait));
        });
        // Streamed (no request buffering): the bad chunk is found while the body is relayed.
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], new HttpLimits { RequestBuffer = 0 });
        using var client = gateway.Connect();

        client.Send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n");

        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.True(await upstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task LargeResponseBodyIsStreamedIntact()
    {
        var body = new string('z', 4 * 1024 * 1024 - 3) + "end";
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(body.Length, response.Body.Length);
        Assert.Equal(body, response.Body);
    }
}
