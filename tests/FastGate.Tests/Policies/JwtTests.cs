using System.Text;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary><c>type = "jwt"</c> over real sockets, with tokens made in the test for every algorithm.</summary>
public class JwtTests
{
    private static string Config(string source, string algorithms, string extra = "", string policies = "[\"auth\"]") => $$"""
        [policies.auth]
        type = "jwt"
        issuer = "{{JwtKeys.Issuer}}"
        audience = ["other", "{{JwtKeys.Audience}}"]
        algorithms = {{algorithms}}
        {{source}}
        {{extra}}

        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = {{policies}}
        """;

    private static async Task<HttpResponse> GetAsync(RawClient client, string? token, string headers = "")
    {
        client.Send($"GET /x HTTP/1.1\r\nHost: a\r\n{(token is null ? "" : $"Authorization: Bearer {token}\r\n")}{headers}\r\n");
        return await client.ReadResponseAsync();
    }

    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("alice", "admin");
        return $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public async Task Only_a_valid_token_of_the_configured_algorithm_reaches_the_upstream(string alg)
    {
        var keys = new JwtKeys(alg);
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config(keys.SourceConfig(Path.GetTempPath()), $"[\"{alg}\"]"));
        using var client = gateway.Connect();

        var valid = await GetAsync(client, keys.Token());
        Assert.Equal(200, valid.Status);
        Assert.Single(upstream.Requests);
        Assert.Equal(200, (await GetAsync(client, keys.Token())).Status); // another valid token, then the same again (cached)

        var pem = Encoding.ASCII.GetBytes(keys.PublicPem ?? "");
        string[] invalid =
        [
            keys.Token(expiresIn: TimeSpan.FromMinutes(-5), notBefore: TimeSpan.FromMinutes(-10)),  // expired beyond the 30 s skew
            keys.Token(notBefore: TimeSpan.FromMinutes(5), expiresIn: TimeSpan.FromMinutes(10)),    // not yet valid
            keys.Token(issuer: "https://evil.example.com/"),
            keys.Token(audience: "someone-else"),
            Tampered(keys.Token()),
            JwtKeys.Handmade("{\"alg\":\"none\",\"typ\":\"JWT\"}", JwtKeys.Payload(), null),
            JwtKeys.Handmade("{\"alg\":\"none\",\"typ\":\"JWT\"}", JwtKeys.Payload(), null).TrimEnd('.'),
            // HS256 with the public key's PEM bytes as the HMAC secret (the classic RS/HS confusion), and a wrong secret.
            JwtKeys.Handmade("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", JwtKeys.Payload(), pem.Length > 0 ? pem : Encoding.ASCII.GetBytes("wrong")),
            "not.a.jwt",
            JwtKeys.Handmade("{", JwtKeys.Payload(), pem),
            JwtKeys.Handmade("[]", JwtKeys.Payload(), pem),
            JwtKeys.Handmade($"{{\"alg\":5,\"kid\":[1]}}", "{\"exp\":\"soon\"}", pem),
            JwtKeys.Handmade($"{{\"alg\":\"{alg}\"}}", "not json", pem),
            $"{keys.Token()}.extra.parts",
            "a b",
        ];
        foreach (var token in invalid)
        {
            var response = await GetAsync(client, token);
            Assert.True(response.Status == 401, $"{token}: {response.Status}");
            Assert.Equal("Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
        }
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task An_RS_key_refuses_an_ES_token_and_a_request_without_a_token_gets_a_bare_Bearer_challenge()
    {
        var rsa = new JwtKeys("RS256");
        var ec = new JwtKeys("ES256");
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config(rsa.SourceConfig(Path.GetTempPath()), "[\"RS256\", \"PS256\"]"));
        using var client = gateway.Connect();
        Assert.Equal(401, (await GetAsync(client, ec.Token())).Status);
        var missing = await GetAsync(client, null);
        Assert.Equal(401, missing.Status);
        Assert.Equal("Bearer", missing.Header("WWW-Authenticate"));
        var basic = await GetAsync(client, null, "Authorization: Basic YTpi\r\n");
        Assert.Equal("Bearer", basic.Header("WWW-Authenticate"));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_token_without_a_required_scope_or_claim_gets_403_insufficient_scope()
    {
        var keys = new JwtKeys("ES256");
        await using var upstream = PolicyGateway.Upstream();
        var config = Config(keys.SourceConfig(Path.GetTempPath()), "[\"ES256\"]", "required_scopes = [\"read\", \"write\"]\nrequired_claims = [\"tenant\"]");
        await using var gateway = await PolicyGateway.StartAsync(upstream, config);
        using var client = gateway.Connect();

        var scope = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "a", ["tenant"] = "t1", ["scope"] = "openid read write" });
        var scp = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "a", ["tenant"] = "t1", ["scp"] = new[] { "write", "read" } });
        Assert.Equal(200, (await GetAsync(client, scope)).Status);
        Assert.Equal(200, (await GetAsync(client, scp)).Status);

        var noWrite = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "a", ["tenant"] = "t1", ["scope"] = "read" });
        var noTenant = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "a", ["scope"] = "read write" });
        foreach (var token in new[] { noWrite, noTenant, noWrite })
        {
            var response = await GetAsync(client, token);
            Assert.Equal(403, response.Status);
            Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"read write\"", response.Header("WWW-Authenticate"));
        }
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_token_in_the_named_cookie_is_used_and_the_Authorization_field_is_not()
    {
        var keys = new JwtKeys("HS256");
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config(keys.SourceConfig(""), "[\"HS256\"]", "token_cookie = \"session\""));
        using var client = gateway.Connect();
        Assert.Equal(200, (await GetAsync(client, null, $"Cookie: theme=dark; session={keys.Token()}; x=1\r\n")).Status);
        Assert.Equal(200, (await GetAsync(client, null, $"Cookie: theme=dark\r\nCookie: session={keys.Token()}\r\n")).Status);
        var bearerOnly = await GetAsync(client, keys.Token());
        Assert.Equal(401, bearerOnly.Status);
        Assert.Equal("Bearer", bearerOnly.Header("WWW-Authenticate"));
        Assert.Equal(401, (await GetAsync(client, null, "Cookie: session=forged.token.here\r\n")).Status);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task Forwarded_claims_replace_the_clients_copies_and_a_claim_with_CR_LF_never_reaches_the_upstream_head()
    {
        var keys = new JwtKeys("RS256");
        await using var upstream = PolicyGateway.Upstream();
        var config = Config(keys.SourceConfig(Path.GetTempPath()), "[\"RS256\"]", "forward_claims = { sub = \"X-User-Id\", tenant = \"X-Tenant\" }",
            "[\"auth\", \"tag\"]") + """

            [policies.tag]
            type = "transform"
            request_headers = { set = { "X-Sub" = "user={claim:sub}", "X-Role" = "{claim:role}" } }
            """;
        await using var gateway = await PolicyGateway.StartAsync(upstream, config);
        using var client = gateway.Connect();

        var token = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "alice", ["tenant"] = "t1" });
        Assert.Equal(200, (await GetAsync(client, token, "X-User-Id: forged\r\nx-tenant: forged\r\nX-User-Id: forged2\r\n")).Status);
        Assert.True(upstream.Requests.TryDequeue(out var seen));
        Assert.Contains("\r\nX-User-Id: alice\r\n", seen.Raw);
        Assert.Contains("\r\nX-Tenant: t1\r\n", seen.Raw);
        Assert.Contains("\r\nX-Sub: user=alice\r\n", seen.Raw);
        Assert.DoesNotContain("forged", seen.Raw);

        var evil = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "alice\r\nX-Admin: true", ["tenant"] = "t\u0000x", ["role"] = "a\nb" });
        Assert.Equal(200, (await GetAsync(client, evil, "X-User-Id: forged\r\n")).Status);
        Assert.True(upstream.Requests.TryDequeue(out seen));
        var head = seen.Raw[..seen.Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.DoesNotContain("X-Admin", head);
        Assert.DoesNotContain("X-User-Id", head);
        Assert.DoesNotContain("X-Tenant", head);
        Assert.DoesNotContain("X-Sub", head);
        Assert.DoesNotContain("X-Role", head);
        Assert.False(head.Contains('\0'), "a NUL reached the upstream head");
        Assert.DoesNotContain("forged", head);
    }

    [Theory]
    [InlineData(253402300799L)] // 9999-12-31T23:59:59Z: ValidTo is DateTime.MaxValue once the skew is added
    [InlineData(99999999999L)]  // year 5138: a cache lifetime past what Stopwatch ticks hold
    public async Task A_token_with_an_exp_in_a_far_future_is_valid_and_cached_without_an_overflow(long exp)
    {
        var keys = new JwtKeys("HS256");
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config(keys.SourceConfig(""), "[\"HS256\"]"));
        var payload = $"{{\"iss\":\"{JwtKeys.Issuer}\",\"aud\":\"{JwtKeys.Audience}\",\"sub\":\"alice\",\"exp\":{exp}}}";
        var token = JwtKeys.Handmade("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, System.Text.Encoding.UTF8.GetBytes(JwtKeys.Secret));
        using var client = gateway.Connect();
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetAsync(client, token)).Status);
    }

    [Fact]
    public async Task A_rate_limit_keyed_by_a_claim_counts_each_user_apart()
    {
        var keys = new JwtKeys("HS256");
        await using var upstream = PolicyGateway.Upstream();
        var config = Config(keys.SourceConfig(""), "[\"HS256\"]", "", "[\"auth\", \"per_user\"]") + """

            [policies.per_user]
            type = "rate_limit"
            key = "claim:sub"
            rate = 2
            period = "1m"
            """;
        await using var gateway = await PolicyGateway.StartAsync(upstream, config);
        using var client = gateway.Connect();
        var alice = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "alice" });
        var bob = keys.Token(claims: new Dictionary<string, object> { ["sub"] = "bob" });
        Assert.Equal(200, (await GetAsync(client, alice)).Status);
        Assert.Equal(200, (await GetAsync(client, alice)).Status);
        Assert.Equal(429, (await GetAsync(client, alice)).Status);
        Assert.Equal(200, (await GetAsync(client, bob)).Status);
        Assert.Equal(200, (await GetAsync(client, bob)).Status);
        Assert.Equal(429, (await GetAsync(client, bob)).Status);
    }

    [Fact]
    public async Task A_secret_from_an_environment_variable_validates_HS_tokens()
    {
        var variable = $"FASTGATE_TEST_JWT_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, JwtKeys.Secret);
        try
        {
            var keys = new JwtKeys("HS512");
            await using var upstream = PolicyGateway.Upstream();
            await using var gateway = await PolicyGateway.StartAsync(upstream, Config($"secret = \"env:{variable}\"", "[\"HS512\"]"));
            using var client = gateway.Connect();
            Assert.Equal(200, (await GetAsync(client, keys.Token())).Status);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_token_with_an_unknown_kid_refreshes_the_JWKS_at_once_but_not_again_within_30_seconds()
    {
        var first = new JwtKeys("RS256", kid: "k1");
        var second = new JwtKeys("ES256", kid: "k2");
        await using var jwks = new JwksServer(JwtKeys.JwksJson(first));
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config($"jwks = \"{jwks.Url}\"", "[\"RS256\", \"ES256\"]"));
        using var client = gateway.Connect();

        Assert.Equal(200, (await GetAsync(client, first.Token())).Status);
        Assert.Equal(1, jwks.Fetches);

        jwks.Json = JwtKeys.JwksJson(first, second); // the issuer rotates in a new key
        Assert.Equal(200, (await GetAsync(client, second.Token())).Status);
        Assert.Equal(2, jwks.Fetches);

        // Another unknown kid within 30 s: refused without asking the JWKS again (no fetch per forged kid).
        var stranger = new JwtKeys("RS256", kid: "k3");
        Assert.Equal(401, (await GetAsync(client, stranger.Token())).Status);
        Assert.Equal(401, (await GetAsync(client, stranger.Token())).Status);
        Assert.Equal(2, jwks.Fetches);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_token_whose_alg_does_not_fit_the_kind_of_key_its_kid_names_is_refused_even_when_both_algs_are_allowed()
    {
        var rsa = new JwtKeys("RS256", kid: "k1");
        var ecUsingTheRsaKid = new JwtKeys("ES256", kid: "k1");
        await using var jwks = new JwksServer(JwtKeys.JwksJson(rsa));
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config($"jwks = \"{jwks.Url}\"", "[\"RS256\", \"ES256\"]"));
        using var client = gateway.Connect();
        Assert.Equal(200, (await GetAsync(client, rsa.Token())).Status);
        var response = await GetAsync(client, ecUsingTheRsaKid.Token());
        Assert.Equal((401, "Bearer error=\"invalid_token\""), (response.Status, response.Header("WWW-Authenticate")));
        Assert.Equal(1, jwks.Fetches); // the kid is known: no refresh, just no key of the right kind
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task When_the_JWKS_fails_the_last_good_keys_stay_in_use_and_a_later_fetch_replaces_them()
    {
        var key = new JwtKeys("ES384", kid: "k1");
        await using var jwks = new JwksServer(JwtKeys.JwksJson(key));
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config($"jwks = \"{jwks.Url}\"\njwks_refresh = \"1s\"", "[\"ES384\"]"));
        using var client = gateway.Connect();
        var cached = key.Token();
        Assert.Equal(200, (await GetAsync(client, cached)).Status);

        jwks.Status = 503;
        var failedFrom = jwks.Fetches;
        await WaitUntilAsync(() => jwks.Fetches >= failedFrom + 2); // two background refreshes failed
        Assert.Equal(200, (await GetAsync(client, key.Token())).Status);

        jwks.Json = "{\"keys\": []}"; // a document without keys is a failure too: keys kept
        jwks.Status = 200;
        var emptyFrom = jwks.Fetches;
        await WaitUntilAsync(() => jwks.Fetches >= emptyFrom + 2);
        Assert.Equal(200, (await GetAsync(client, key.Token())).Status);

        var next = new JwtKeys("ES384", kid: "k2");
        jwks.Json = JwtKeys.JwksJson(next); // k1 retired: a new token signed with k1 is no longer valid
        var rotatedFrom = jwks.Fetches;
        await WaitUntilAsync(() => jwks.Fetches >= rotatedFrom + 2);
        Assert.Equal(200, (await GetAsync(client, next.Token())).Status);
        Assert.Equal(401, (await GetAsync(client, key.Token())).Status);
        // The token validated first was cached with the key set that has since been replaced: it is checked again,
        // against today's keys, and refused (a key dropped from the JWKS, say after a leak, stops working at once).
        Assert.Equal(401, (await GetAsync(client, cached)).Status);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 20 s");
            await Task.Delay(50);
        }
    }
}
