using FastGate.Http;
using FastGate.Routing;

namespace FastGate.Tests.Integration;

public class ErrorResponseTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task NoRouteGives404AndKeepsTheConnection()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            routes: c => [new Route { Name = "only", Path = "/only", Cluster = c }]);
        using var client = gateway.Connect();

        client.Send("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);

        client.Send("GET /only HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task PartialHeadGives408AfterTheHeaderTimeoutAndCloses()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { HeaderTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow");
        var response = await client.ReadResponseAsync(timeout: Wait);

        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task BodyAboveTheLimitGives413()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { MaxRequestBodyBytes = 1000 });
        using var client = gateway.Connect();

        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");

        Assert.Equal(413, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task ChunkedBodyAboveTheLimitGives413()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            await s.WaitForCloseAsync(Wait);
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { MaxRequestBodyBytes = 10 });
        using var client = gateway.Connect();

        client.Send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");

        Assert.Equal(413, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
    }

    [Fact]
    public async Task RequestLineTooLongGives414()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { MaxRequestLineBytes = 200 });
        using var client = gateway.Connect();

        client.Send($"GET /{new string('a', 300)} HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(414, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task TooManyHeadersGives431()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { MaxHeaderCount = 10 });
        using var client = gateway.Connect();

        var fields = string.Concat(Enumerable.Range(0, 11).Select(i => $"X-F{i}: {i}\r\n"));
        client.Send($"GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");

        Assert.Equal(431, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task AnErrorAfterAHeadRequestStillCarriesItsBody()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { MaxHeaderCount = 10 });
        using var client = gateway.Connect();

        client.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync(headRequest: true)).Status);
        // The next head is rejected before it parses: the answer describes no request, least of all the HEAD before it.
        var fields = string.Concat(Enumerable.Range(0, 11).Select(i => $"X-F{i}: {i}\r\n"));
        client.Send($"GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");
        var rejected = await client.ReadResponseAsync();
        Assert.Equal(431, rejected.Status);
        Assert.Equal("Request Header Fields Too Large\n", rejected.Body);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6")]
    [InlineData("Transfer-Encoding: chunked, identity")]
    [InlineData("Transfer-Encoding : chunked")]
    public async Task SmugglingAttemptGives400AndNothingReachesTheUpstream(string framing)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send($"POST / HTTP/1.1\r\nHost: a\r\n{framing}\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.Equal(0, upstream.AcceptedConnections);
    }
}
