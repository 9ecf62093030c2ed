namespace FastGate.Tests.Integration;

public class UpgradeTests
{
    private const string UpgradeRequest =
        "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

    [Fact]
    public async Task SwitchingProtocolsOpensATwoWayTunnel()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            var request = await s.ReadRequestAsync();
            if (request?.Header("Upgrade") != "websocket") return;
            s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            while (await s.ReadAvailableAsync() is { } data) s.Send("echo:" + data);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send(UpgradeRequest);
        var head = await client.ReadUntilAsync("\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", head);
        Assert.Contains("Upgrade: websocket", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: upgrade", head, StringComparison.OrdinalIgnoreCase);

        client.Send("\x81\x05hello");
        Assert.Equal("echo:\x81\x05hello", await client.ReadUntilAsync("hello"));
        client.Send("second frame");
        Assert.Equal("echo:second frame", await client.ReadUntilAsync("frame"));

        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("websocket", request.Header("Upgrade"));
        Assert.Equal("upgrade", request.Header("Connection"), ignoreCase: true);
    }

    [Fact]
    public async Task AnUpgradeRequestWithABodySendsTheBodyFirstThenTunnels()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            var request = await s.ReadRequestAsync();
            if (request?.Body != "hello") return;
            s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            while (await s.ReadAvailableAsync() is { } data) s.Send("echo:" + data);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send(UpgradeRequest.Replace("\r\n\r\n", "\r\nContent-Length: 5\r\n\r\nhello"));
        Assert.StartsWith("HTTP/1.1 101", await client.ReadUntilAsync("\r\n\r\n"));
        client.Send("frame");
        Assert.Equal("echo:frame", await client.ReadUntilAsync("frame"));
    }

    [Fact]
    public async Task ATunnelWhoseUpstreamLeftEndsAfterTheGraceEvenIfTheClientStaysSilent()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nbye");
            s.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(15));
        });
        var observer = new FastGate.Tests.Pipeline.RecordingObserver();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], observers: observer);
        using var client = gateway.Connect();

        client.Send(UpgradeRequest);
        Assert.EndsWith("bye", await client.ReadUntilAsync("bye"));
        // The upstream's end is passed on as a FIN; the client's silent half is stopped after the grace period.
        var seen = Assert.Single(await observer.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(FastGate.Proxy.ExchangeOutcome.Tunnelled, seen.Outcome);
        Assert.Equal(0, gateway.Destinations[0].Pool.OpenConnections);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task UpgradeAnsweredWith200IsAnOrdinaryResponse()
    {
        await using var upstream = ScriptedUpstream.Ok("no upgrade");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send(UpgradeRequest);
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("no upgrade", response.Body);
        Assert.Null(response.Header("Upgrade"));

        client.Send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("/next", (await client.ReadResponseAsync()).Header("X-Path"));
    }

    [Fact]
    public async Task ClosingEitherSideEndsTheTunnel()
    {
        var upstreamSawClose = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nwelcome");
            if (await s.ReadAvailableAsync() == "bye") upstreamSawClose.SetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
            else s.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);

        using (var client = gateway.Connect())
        {
            client.Send(UpgradeRequest);
            Assert.EndsWith("welcome", await client.ReadUntilAsync("welcome"));
            client.Send("bye");
        }
        Assert.True(await upstreamSawClose.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        using var other = gateway.Connect();
        other.Send(UpgradeRequest);
        await other.ReadUntilAsync("welcome");
        other.Send("stop");
        Assert.Equal("", await other.ReadToEndAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task SwitchingProtocolsWithoutAnUpgradeRequestGives502()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }
}
