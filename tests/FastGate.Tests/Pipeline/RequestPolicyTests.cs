using FastGate.Policies;
using FastGate.Routing;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Pipeline;

/// <summary>Phase 3 and 6 seams: a route's policies answer locally and edit response heads, over real sockets.</summary>
public class RequestPolicyTests
{
    private static async Task<(ScriptedUpstream Upstream, TestGateway Gateway, EditResponsePolicy Edit)> StartAsync()
    {
        var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Secret: internal\r\nX-Path: {request.Target}\r\n\r\nok");
        });
        var edit = new EditResponsePolicy();
        var gateway = await TestGateway.StartAsync([upstream.EndPoint], routes: c =>
        [
            new Route
            {
                Name = "guarded", Path = "/{**rest}", Cluster = c,
                Policies = new RoutePolicies { Request = [new DenyPolicy()], Response = [edit] },
            },
        ]);
        return (upstream, gateway, edit);
    }

    [Fact]
    public async Task APolicyAnswersLocallyWithItsHeadersAndBodyAndTheUpstreamIsNotAsked()
    {
        var (upstream, gateway, _) = await StartAsync();
        await using var _u = upstream;
        await using var _g = gateway;
        using var client = gateway.Connect();

        client.Send("GET /deny/me HTTP/1.1\r\nHost: a\r\n\r\n");
        var denied = await client.ReadResponseAsync();
        Assert.Equal(403, denied.Status);
        Assert.Equal("test-policy", denied.Header("X-Denied-By"));
        Assert.Equal("denied by policy\n", denied.Body);
        Assert.Equal("status-403-route-guarded", denied.Header("X-Gateway"));

        // Same connection: a local answer to a bodyless request keeps it alive, and the next request goes upstream.
        client.Send("GET /allowed HTTP/1.1\r\nHost: a\r\n\r\n");
        var allowed = await client.ReadResponseAsync();
        Assert.Equal(200, allowed.Status);
        Assert.Equal("/allowed", allowed.Header("X-Path"));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task AResponsePolicyRemovesAndSetsHeadersButCannotTouchFramingOrInjectLines()
    {
        var (upstream, gateway, edit) = await StartAsync();
        await using var _u = upstream;
        await using var _g = gateway;
        using var client = gateway.Connect();

        client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("ok", response.Body);
        Assert.Null(response.Header("X-Secret"));
        Assert.Equal("status-200-route-guarded", response.Header("X-Gateway"));
        Assert.Equal("2", response.Header("Content-Length"));
        Assert.Null(response.Header("Set-Cookie"));
        Assert.Null(response.Header("X-Evil"));
        Assert.True(edit.Refusals.TryDequeue(out var refused));
        Assert.True(refused.Framing, "a response policy could add Content-Length");
        Assert.True(refused.Injection, "a response policy could add a value with CR LF");
    }

    [Fact]
    public async Task APolicyThatSuspendsStillLetsTheRequestThrough()
    {
        var (upstream, gateway, _) = await StartAsync();
        await using var _u = upstream;
        await using var _g = gateway;
        using var client = gateway.Connect();
        client.Send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /slow/2 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("/slow", (await client.ReadResponseAsync()).Header("X-Path"));
        Assert.Equal("/slow/2", (await client.ReadResponseAsync()).Header("X-Path"));
    }

    [Fact]
    public async Task ALocalAnswerToHeadDeclaresItsLengthButSendsNoBody()
    {
        var (upstream, gateway, _) = await StartAsync();
        await using var _u = upstream;
        await using var _g = gateway;
        using var client = gateway.Connect();
        client.Send("HEAD /deny HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(403, head.Status);
        Assert.Equal("17", head.Header("Content-Length"));
        Assert.Equal("", head.Body);
        var next = await client.ReadResponseAsync();
        Assert.Equal(200, next.Status);
        Assert.Equal("/after", next.Header("X-Path"));
    }
}
