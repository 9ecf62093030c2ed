using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary><c>type = "cors"</c> over real sockets, per the Fetch standard's CORS protocol.</summary>
public class CorsTests
{
    private const string Config = """
        [policies.web_cors]
        type = "cors"
        allow_origins = ["https://app.example.com", "https://*.example.com", "http://localhost:3000"]
        allow_methods = ["GET", "POST", "PUT"]
        allow_headers = ["Content-Type", "Authorization"]
        expose_headers = ["X-Total"]
        allow_credentials = true
        max_age = "10m"

        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = ["web_cors"]
        """;

    private static Task<TestGateway> StartAsync(ScriptedUpstream upstream) => PolicyGateway.StartAsync(upstream, Config);

    private static string Preflight(string origin, string method = "PUT", string? headers = "content-type, authorization") =>
        $"OPTIONS /things HTTP/1.1\r\nHost: a\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\n"
        + (headers is null ? "" : $"Access-Control-Request-Headers: {headers}\r\n") + "\r\n";

    private static IEnumerable<string> Names(HttpResponse response) =>
        response.Head.Split("\r\n").Skip(1).Select(l => l[..l.IndexOf(':')]);

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_204_at_the_gateway_with_the_allow_headers()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send(Preflight("https://app.example.com"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(204, response.Status);
        Assert.Equal("https://app.example.com", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));
        Assert.Equal("GET, POST, PUT", response.Header("Access-Control-Allow-Methods"));
        Assert.Equal("Content-Type, Authorization", response.Header("Access-Control-Allow-Headers"));
        Assert.Equal("600", response.Header("Access-Control-Max-Age"));
        Assert.Contains("Origin", response.Header("Vary"));
        Assert.Null(response.Header("Content-Length"));
        // Same connection: the next request goes upstream.
        client.Send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("/after", Assert.Single(upstream.Requests).Target);
    }

    [Theory]
    [InlineData("https://evil.example.org", "PUT", "content-type")]                 // origin not listed
    [InlineData("https://evil.com.example.com.attacker.net", "PUT", "content-type")] // suffix inside another host
    [InlineData("https://example.com", "PUT", "content-type")]                       // the bare domain is not *.example.com
    [InlineData("http://a.example.com", "PUT", "content-type")]                      // another scheme
    [InlineData("https://a.example.com:8443", "PUT", "content-type")]                // another port
    [InlineData("https://attacker.net/.example.com", "PUT", "content-type")]         // a path is not an origin
    [InlineData("https://app.example.com", "DELETE", "content-type")]                // method not allowed
    [InlineData("https://app.example.com", "put", "content-type")]                   // methods are case-sensitive
    [InlineData("https://app.example.com", "PUT", "content-type, x-secret")]         // header not allowed
    public async Task A_disallowed_preflight_gets_403_without_any_CORS_header_and_nothing_goes_upstream(string origin, string method, string headers)
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send(Preflight(origin, method, headers));
        var response = await client.ReadResponseAsync();
        Assert.Equal(403, response.Status);
        Assert.DoesNotContain(Names(response), n => n.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("https://a.example.com")]
    [InlineData("https://a.b.example.com")]          // one label or more
    [InlineData("https://APP.Example.COM")]          // hosts compare without case
    [InlineData("http://localhost:3000")]
    public async Task Wildcard_and_exact_origins_are_allowed_in_a_preflight(string origin)
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send(Preflight(origin, "GET", headers: null));
        var response = await client.ReadResponseAsync();
        Assert.Equal(204, response.Status);
        Assert.Equal(origin, response.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_actual_request_from_an_allowed_origin_goes_upstream_and_gets_the_origin_echoed_never_a_star()
    {
        await using var upstream = PolicyGateway.Upstream("Access-Control-Allow-Origin: *\r\nVary: Accept-Encoding\r\n");
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send("POST /things HTTP/1.1\r\nHost: a\r\nOrigin: https://x.example.com\r\nContent-Length: 2\r\n\r\nhi");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("https://x.example.com", response.Header("Access-Control-Allow-Origin"));
        Assert.Single(Names(response), n => n.Equals("Access-Control-Allow-Origin", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));
        Assert.Equal("X-Total", response.Header("Access-Control-Expose-Headers"));
        Assert.Contains("Vary: Origin", response.Head);
        Assert.Contains("Vary: Accept-Encoding", response.Head);
        Assert.Equal("hi", Assert.Single(upstream.Requests).Body);
    }

    [Fact]
    public async Task A_request_from_a_disallowed_origin_still_goes_upstream_but_gets_no_CORS_headers_not_even_the_upstreams()
    {
        await using var upstream = PolicyGateway.Upstream("Access-Control-Allow-Origin: *\r\n");
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send("GET /things HTTP/1.1\r\nHost: a\r\nOrigin: https://evil.com.example.com.attacker.net\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(Names(response), n => n.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Vary: Origin", response.Head);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task A_plain_OPTIONS_without_Access_Control_Request_Method_is_not_a_preflight_and_goes_upstream()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.Connect();
        client.Send("OPTIONS /things HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("https://app.example.com", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("OPTIONS", Assert.Single(upstream.Requests).Method);
    }

    [Fact]
    public async Task A_star_origin_without_credentials_answers_star()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, """
            [policies.open]
            type = "cors"
            allow_origins = ["*"]
            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["open"]
            """);
        using var client = gateway.Connect();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\nOrigin: https://anyone.test\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
        Assert.Null(response.Header("Access-Control-Allow-Credentials"));
    }
}
