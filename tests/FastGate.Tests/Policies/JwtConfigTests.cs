using FastGate.Policies.Jwt;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Policies;

/// <summary><c>type = "jwt"</c> at load: algorithms must fit the key source, and every error names file, line and key.</summary>
public class JwtConfigTests
{
    private static readonly string RsaPem = WritePem(new JwtKeys("RS256").PublicPem!);
    private static readonly string EcPem = WritePem(new JwtKeys("ES256").PublicPem!);
    private static readonly string PrivatePem = WritePem(System.Security.Cryptography.RSA.Create(2048).ExportPkcs8PrivateKeyPem());

    private static string WritePem(string pem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-jwt-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, pem);
        return path;
    }

    public static TheoryData<string, int, string, string> Errors => new()
    {
        { "algorithms = [\"HS256\"]", 3, "policies.p", "no key source" },
        { $"secret = \"{JwtKeys.Secret}\"", 3, "policies.p.algorithms", "required key is missing" },
        { $"algorithms = [\"none\"]\nsecret = \"{JwtKeys.Secret}\"", 5, "policies.p.algorithms", "\"none\" is never accepted" },
        { $"algorithms = [\"HS257\"]\nsecret = \"{JwtKeys.Secret}\"", 5, "policies.p.algorithms", "unknown algorithm \"HS257\"" },
        { "algorithms = [\"HS256\"]\nsecret = \"short\"", 6, "policies.p.secret", "need at least 32" },
        { "algorithms = [\"HS512\"]\nsecret = \"0123456789abcdef0123456789abcdef\"", 6, "policies.p.secret", "need at least 64" },
        { "algorithms = [\"HS256\"]\nsecret = \"env:FASTGATE_TEST_JWT_UNSET_VARIABLE\"", 6, "policies.p.secret", "is not set or empty" },
        { $"algorithms = [\"RS256\"]\nsecret = \"{JwtKeys.Secret}\"", 6, "policies.p.secret", "a secret signs HS256/HS384/HS512 only" },
        { $"algorithms = [\"HS256\", \"RS256\"]\npublic_key_file = \"{RsaPem}\"", 6, "policies.p.public_key_file", "algorithms HS256 do not fit this key" },
        { $"algorithms = [\"ES256\"]\npublic_key_file = \"{RsaPem}\"", 6, "policies.p.public_key_file", "an RSA key verifies RS256" },
        { $"algorithms = [\"ES384\"]\npublic_key_file = \"{EcPem}\"", 6, "policies.p.public_key_file", "an EC P-256 key verifies ES256 only" },
        { $"algorithms = [\"RS256\"]\npublic_key_file = \"{PrivatePem}\"", 6, "policies.p.public_key_file", "never a private key" },
        { "algorithms = [\"RS256\"]\npublic_key_file = \"/nonexistent/key.pem\"", 6, "policies.p.public_key_file", "cannot read" },
        { "algorithms = [\"HS256\"]\njwks = \"https://id.example.com/jwks\"", 6, "policies.p.jwks", "HS256 needs a shared secret" },
        { "algorithms = [\"RS256\"]\njwks = \"ftp://id.example.com/jwks\"", 6, "policies.p.jwks", "not an http(s) URL" },
        { "algorithms = [\"RS256\"]\njwks = \"http://id.example.com/jwks\"", 6, "policies.p.jwks", "keys must come over https" },
        { "algorithms = [\"RS256\"]\njwks = \"https://id.example.com/jwks\"\njwks_refresh = \"0s\"", 7, "policies.p.jwks_refresh", "greater than zero" },
        { $"algorithms = [\"RS256\"]\npublic_key_file = \"{RsaPem}\"\njwks_refresh = \"1m\"", 7, "policies.p.jwks_refresh", "applies to jwks" },
        { $"algorithms = [\"RS256\"]\npublic_key_file = \"{RsaPem}\"\njwks = \"https://id.example.com/jwks\"", 7, "policies.p", "are both set" },
        { $"algorithms = [\"RS256\"]\njwks_file = \"{RsaPem}\"", 6, "policies.p.jwks_file", "not a JWKS document" },
        { $"algorithms = [\"HS256\"]\nsecret = \"{JwtKeys.Secret}\"\nforward_claims = {{ sub = \"Host\" }}", 7, "policies.p.forward_claims.sub", "cannot carry a claim" },
        { $"algorithms = [\"HS256\"]\nsecret = \"{JwtKeys.Secret}\"\nforward_claims = {{ sub = \"X User\" }}", 7, "policies.p.forward_claims.sub", "not a header name" },
        { $"algorithms = [\"HS256\"]\nsecret = \"{JwtKeys.Secret}\"\ntoken_cookie = \"a b\"", 7, "policies.p.token_cookie", "not a cookie name" },
        { $"algorithms = [\"HS256\"]\nsecret = \"{JwtKeys.Secret}\"\nrequired_scopes = [\"a b\"]", 7, "policies.p.required_scopes", "not a scope token" },
        { $"algorithms = [\"HS256\"]\nsecret = \"{JwtKeys.Secret}\"\naudiences = \"api\"", 7, "policies.p.audiences", "unknown key \"audiences\" (did you mean \"audience\"?)" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_bad_jwt_policy_is_an_error_naming_file_line_and_key(string body, int line, string key, string message) =>
        PolicyConfigTests.AssertError($"type = \"jwt\"\n{body}", line, key, message);

    [Fact]
    public void The_issue_example_loads_with_a_jwks_url_and_the_secret_is_masked_in_the_description()
    {
        var snapshot = Valid($$"""
            {{MinimalCluster}}
            [policies.api_jwt]
            type = "jwt"
            issuer = "https://id.example.com/"
            audience = "api"
            jwks = "https://id.example.com/.well-known/jwks.json"
            algorithms = ["RS256", "ES256"]
            clock_skew = "30s"
            required_scopes = ["read"]
            forward_claims = { sub = "X-User-Id" }
            [policies.hs]
            type = "jwt"
            algorithms = ["HS256"]
            secret = "{{JwtKeys.Secret}}"
            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["api_jwt"]
            """);
        var jwt = Assert.IsType<JwtDefinition>(snapshot.Policies["api_jwt"]);
        Assert.Equal(["RS256", "ES256"], jwt.Options.Algorithms);
        Assert.Equal(["api"], jwt.Options.Audiences);
        Assert.IsType<JwksUrlSource>(jwt.Source);
        Assert.IsType<JwtPolicy>(Assert.Single(snapshot.Routes.Routes.Single(r => r.Name == "api").Policies.Request));
        Assert.Equal("***", snapshot.Policies["hs"].Describe()["secret"]!.GetValue<string>());
    }

    [Fact]
    public void A_rate_limit_keyed_by_a_claim_before_the_jwt_policy_in_a_route_is_an_error()
    {
        var result = Load($$"""
            {{MinimalCluster}}
            [policies.auth]
            type = "jwt"
            algorithms = ["HS256"]
            secret = "{{JwtKeys.Secret}}"
            [policies.per_user]
            type = "rate_limit"
            key = ["claim:sub", "route"]
            rate = 5
            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["per_user", "auth"]
            """);
        var error = Assert.Single(result.Errors);
        Assert.Equal("routes.api.policies", error.Key);
        Assert.Contains("policy \"per_user\" is keyed by a JWT claim: list a jwt policy before it", error.Message);
    }
}
