using FastGate.Http;
using FastGate.Upstreams;

namespace FastGate.Tests.Integration;

public class KeepAlivePoolTests
{
    [Fact]
    public async Task SequentialRequestsOnOneClientConnectionShareOneUpstreamConnection()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 20; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal($"/{i}", (await client.ReadResponseAsync()).Header("X-Path"));
        }

        Assert.Equal(1, upstream.AcceptedConnections);
        Assert.Equal(1, gateway.Destinations[0].Pool.OpenConnections);
    }

    [Fact]
    public async Task RoundRobinAlternatesBetweenTwoDestinations()
    {
        await using var a = ScriptedUpstream.Ok("A");
        await using var b = ScriptedUpstream.Ok("B");
        await using var gateway = await TestGateway.StartAsync([a.EndPoint, b.EndPoint]);
        using var client = gateway.Connect();

        var seen = "";
        for (var i = 0; i < 10; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            seen += (await client.ReadResponseAsync()).Body;
        }

        Assert.Contains(seen, new[] { "ABABABABAB", "BABABABABA" });
        Assert.Equal(1, a.AcceptedConnections);
        Assert.Equal(1, b.AcceptedConnections);
    }

    /// <summary>With one lease per destination, any failure path that leaks its lease turns the next request into a 503.</summary>
    [Theory]
    [InlineData("GET /silent HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /reset HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /partial HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("POST /early HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")]
    [InlineData("POST /abort HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")]
    public async Task FailurePathsReleaseTheirPoolLease(string request)
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync(readBody: false) is { } r)
            {
                switch (r.Target)
                {
                    case "/reset": s.Reset(); return;
                    case "/partial": s.Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"); await Task.Delay(100); s.Reset(); return;
                    case "/ws": s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"); break;
                    case "/early": s.Send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); break;
                    case "/silent" or "/abort": break;
                    default: s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); continue;
                }
                await s.WaitForCloseAsync(TimeSpan.FromSeconds(10));
                return;
            }
        });
        var options = new ClusterOptions
        {
            MaxConnectionsPerDestination = 1, ResponseTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        // Streaming request bodies (no request buffering), so the partial bodies reach the upstream.
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], new HttpLimits { RequestBuffer = 0 }, options);

        using (var failing = gateway.Connect())
        {
            failing.Send(request);
            if (request.Contains("/abort")) await Task.Delay(100);
            else await failing.ReadUntilAsync("HTTP/1.1 ", TimeSpan.FromSeconds(5));
            await Task.Delay(100);
        }

        using var client = gateway.Connect();
        client.Send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(200, response.Status);
        Assert.Equal("ok", response.Body);
    }
}
