using FastGate.Http;
using FastGate.Routing;

namespace FastGate.Tests.Integration;

/// <summary>Host validation, absolute-form authorities, HTTP/1.0 without Host, 1.x versions and bare CR, over real sockets.</summary>
public class HostAndVersionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:80:90\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [zz]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a:80x/x HTTP/1.1\r\nHost: a\r\n\r\n")]
    public async Task InvalidOrMissingHostGets400AndReachesNoUpstream(string request)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send(request);

        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task AbsoluteFormAuthorityReplacesHostForRoutingAndForwarding()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            routes: c => [new Route { Name = "a", Host = "a.example", Path = "/{**rest}", Cluster = c }]);
        using var client = gateway.Connect();

        client.Send("GET http://a.example:8080/x?q HTTP/1.1\r\nHost: b.example\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        client.Send("GET /x HTTP/1.1\r\nHost: b.example\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);

        var forwarded = Assert.Single(upstream.Requests);
        Assert.Equal("/x?q", forwarded.Target);
        Assert.Equal("a.example:8080", forwarded.Header("Host"));
    }

    [Fact]
    public async Task Http10WithoutHostIsForwardedAsHttp11WithTheDestinationsHost()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET /old HTTP/1.0\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var forwarded = Assert.Single(upstream.Requests);
        Assert.StartsWith("GET /old HTTP/1.1\r\n", forwarded.Head);
        Assert.Equal(upstream.EndPoint.ToString(), forwarded.Header("Host"));
    }

    [Theory]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/1.9")]
    public async Task HigherHttp1MinorVersionIsServedAsHttp11(string version)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send($"GET /v HTTP/1.1\r\nHost: a\r\n\r\nGET /w {version}\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var second = await client.ReadResponseAsync();

        Assert.Equal(200, second.Status);
        Assert.StartsWith("HTTP/1.1 ", second.Head);
        Assert.Null(second.Header("Connection")); // persistent, as 1.1
        Assert.Contains(upstream.Requests, r => r.Head.StartsWith("GET /w HTTP/1.1\r\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rX")]
    [InlineData("GET /\rX")]
    public async Task BareCrIsAnsweredAt400WithoutWaitingForTheHeaderTimeout(string request)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: HttpLimits.Default with { HeaderTimeout = TimeSpan.FromSeconds(60) });
        using var client = gateway.Connect();

        client.Send(request); // and nothing more: the head never ends

        Assert.Equal(400, (await client.ReadResponseAsync(timeout: Wait)).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Empty(upstream.Requests);
    }
}
