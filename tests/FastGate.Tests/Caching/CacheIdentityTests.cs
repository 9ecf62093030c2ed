using FastGate.Caching;
using FastGate.Routing;
using FastGate.Tests.Integration;
using FastGate.Tests.Policies;

namespace FastGate.Tests.Caching;

/// <summary>
/// A cache behind a JWT policy: what identifies the user is what the upstream saw (the claim the gateway forwards),
/// never a client's own copy of that header, and a token from a cookie authorizes the request as Authorization does.
/// </summary>
public class CacheIdentityTests
{
    private static readonly JwtKeys Keys = new("HS256");

    /// <summary>An upstream that answers with the X-User-Id it received, under <paramref name="cacheHeaders"/>.</summary>
    private static ScriptedUpstream EchoUser(string cacheHeaders) => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
            s.Send(CacheFixture.Ok("user=" + (request.Header("X-User-Id") ?? "none"), cacheHeaders));
    });

    private static async Task<TestGateway> StartAsync(ScriptedUpstream upstream, string jwtKeys = "")
    {
        var snapshot = PolicyGateway.Load(upstream.EndPoint, Keys.AuthPolicy($"forward_claims = {{ sub = \"X-User-Id\" }}\n{jwtKeys}") + """

            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["auth"]
            """);
        var runtime = new CacheRuntime();
        return await TestGateway.StartAsync([upstream.EndPoint], routes: c =>
        {
            var route = new Route
            {
                Name = "api", Path = "/{**rest}", Cluster = c, Policies = snapshot.Routes.Routes[0].Policies,
                CacheOptions = new RouteCacheOptions(), Timeouts = c.Options.Timeouts,
            };
            runtime.Bind(CacheOptions.Default, [route]);
            return [route];
        });
    }

    private static string Token(string user) => Keys.Token(claims: new Dictionary<string, object> { ["sub"] = user });

    private static async Task<HttpResponse> GetAsync(TestGateway gateway, string headers)
    {
        using var client = gateway.Connect();
        client.Send($"GET /me HTTP/1.1\r\nHost: example.com\r\n{headers}\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task A_vary_on_a_header_set_from_a_claim_keys_on_the_claim_not_on_a_copy_the_client_sends()
    {
        await using var upstream = EchoUser("Cache-Control: public, max-age=60\r\nVary: X-User-Id\r\n");
        await using var gateway = await StartAsync(upstream);
        var alice = await GetAsync(gateway, $"Authorization: Bearer {Token("alice")}\r\n");
        Assert.Equal(("user=alice", "MISS"), (alice.Body, alice.Header("X-Cache")));

        // bob claims to be alice through the header the gateway owns: he gets his own answer, not hers.
        var bob = await GetAsync(gateway, $"Authorization: Bearer {Token("bob")}\r\nX-User-Id: alice\r\n");
        Assert.Equal(("user=bob", "MISS"), (bob.Body, bob.Header("X-Cache")));

        var again = await GetAsync(gateway, $"Authorization: Bearer {Token("alice")}\r\nX-User-Id: bob\r\n");
        Assert.Equal(("user=alice", "HIT"), (again.Body, again.Header("X-Cache")));
        var bobAgain = await GetAsync(gateway, $"Authorization: Bearer {Token("bob")}\r\n");
        Assert.Equal(("user=bob", "HIT"), (bobAgain.Body, bobAgain.Header("X-Cache")));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_token_from_a_cookie_authorizes_the_request_so_a_response_without_public_is_not_stored_for_the_next_user()
    {
        await using var upstream = EchoUser("Cache-Control: max-age=60\r\n");
        await using var gateway = await StartAsync(upstream, "token_cookie = \"session\"");
        var alice = await GetAsync(gateway, $"Cookie: session={Token("alice")}\r\n");
        Assert.Equal("user=alice", alice.Body);
        var bob = await GetAsync(gateway, $"Cookie: session={Token("bob")}\r\n");
        Assert.Equal(("user=bob", "MISS"), (bob.Body, bob.Header("X-Cache")));
    }
}
