using System.Net;

namespace FastGate.Tests.Integration;

public class HopByHopTests
{
    [Fact]
    public async Task HopByHopRequestFieldsDoNotReachTheUpstream()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n" +
                    "Proxy-Connection: keep-alive\r\nX-Secret: 1\r\nX-Public: 2\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        Assert.True(upstream.Requests.TryDequeue(out var request));
        foreach (var name in new[] { "Connection", "Keep-Alive", "TE", "Proxy-Connection", "X-Secret" })
            Assert.True(request.Header(name) is null, $"{name} reached the upstream:\n{request.Head}");
        Assert.Equal("2", request.Header("X-Public"));
    }

    [Fact]
    public async Task HopByHopResponseFieldsDoNotReachTheClient()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Internal\r\nKeep-Alive: timeout=5, max=100\r\n" +
                       "X-Internal: secret\r\nX-Public: yes\r\n\r\nok");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal("ok", response.Body);
        Assert.Null(response.Header("Keep-Alive"));
        Assert.Null(response.Header("X-Internal"));
        Assert.Null(response.Header("Connection"));
        Assert.Equal("yes", response.Header("X-Public"));
    }

    [Fact]
    public async Task UntrustedClientsForwardedForIsReplaced()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n\r\n");
        await client.ReadResponseAsync();

        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("127.0.0.1", request.Header("X-Forwarded-For"));
        Assert.Equal("http", request.Header("X-Forwarded-Proto"));
        Assert.Single(request.Head.Split("\r\n"), l => l.StartsWith("X-Forwarded-For", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TrustedProxysForwardedForIsAppendedTo()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], trusted: [IPNetwork.Parse("127.0.0.0/8")]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n\r\n");
        await client.ReadResponseAsync();

        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal("203.0.113.7, 10.0.0.1, 10.0.0.2, 127.0.0.1", request.Header("X-Forwarded-For"));
        Assert.Single(request.Head.Split("\r\n"), l => l.StartsWith("X-Forwarded-For", StringComparison.OrdinalIgnoreCase));
    }
}
