using FastGate.Configuration;
using FastGate.Policies;
using FastGate.Policies.RateLimiting;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Policies;

/// <summary>[policies.NAME] and routes.NAME.policies at load: compiled in list order, every error with file, line and key.</summary>
public class PolicyConfigTests
{
    private static string Route(string policies) => $$"""
        {{MinimalCluster}}
        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = {{policies}}
        """;

    [Fact]
    public void The_issue_example_loads_and_compiles_in_list_order()
    {
        var snapshot = Valid($$"""
            [policies.per_ip]
            type = "rate_limit"
            key = "client_ip"
            algorithm = "token_bucket"
            rate = 100
            period = "1s"
            burst = 50
            shared = false

            [policies.web_cors]
            type = "cors"
            allow_origins = ["https://app.example.com", "https://*.example.com"]
            allow_methods = ["GET", "POST"]
            allow_headers = ["Content-Type", "Authorization"]
            allow_credentials = true
            max_age = "10m"

            [policies.tag]
            type = "transform"
            request_headers = { set = { "X-Gateway" = "fastgate" }, remove = ["X-Debug"] }
            response_headers = { remove = ["Server"] }
            path_regex = { pattern = "^/v1/(.*)$", replace = "/$1" }
            {{Route("[\"per_ip\", \"web_cors\", \"tag\"]")}}
            [routes.plain]
            path = "/plain"
            cluster = "backend"
            """);
        var api = snapshot.Routes.Routes.Single(r => r.Name == "api");
        Assert.Equal(["per_ip", "web_cors", "tag"], api.Policies.Names);
        Assert.Collection(api.Policies.Request,
            p => Assert.IsType<RateLimitPolicy>(p),
            p => Assert.IsType<FastGate.Policies.Cors.CorsPolicy>(p),
            p => Assert.IsType<FastGate.Policies.Transforms.TransformPolicy>(p));
        Assert.Equal(3, api.Policies.Response.Length); // the rate limit's fields on allowed responses, CORS, the transform
        Assert.Same(RoutePolicies.None, snapshot.Routes.Routes.Single(r => r.Name == "plain").Policies);
        var rule = Assert.IsType<RateLimitDefinition>(snapshot.Policies["per_ip"]).Rule;
        Assert.Equal(new RateLimitRule(RateLimitAlgorithm.TokenBucket, "client_ip", 100, TimeSpan.FromSeconds(1), 50), rule);
    }

    [Theory]
    [InlineData("type = \"rate_limit\"\nrate = 1\nshared = true", 6, "policies.p.shared", "no Redis is configured")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nredis_timeout = \"1s\"", 6, "policies.p.redis_timeout", "applies to shared = true only")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nheaders = \"yes\"", 6, "policies.p.headers", "")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nkey = [\"client_ip\", \"cookie:x\"]", 6, "policies.p.key", "unknown key \"cookie:x\"")]
    [InlineData("type = \"rate_limit\"\nrate = 0", 5, "policies.p.rate", "out of range")]
    [InlineData("type = \"rate_limit\"", 3, "policies.p.rate", "required key is missing")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nperiod = \"1500ms\"", 6, "policies.p.period", "whole seconds")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nalgorithm = \"fixed_window\"\nburst = 5", 7, "policies.p.burst", "applies to algorithm = \"token_bucket\" only")]
    [InlineData("type = \"rate_limit\"\nrate = 1\nalgorithm = \"leaky\"", 6, "policies.p.algorithm", "unknown algorithm")]
    [InlineData("type = \"firewall\"", 4, "policies.p.type", "unknown policy type")]
    [InlineData("rate = 1", 3, "policies.p.type", "required key is missing")]
    [InlineData("type = \"cors\"\nallow_origins = [\"*\"]\nallow_credentials = true", 5, "policies.p.allow_origins", "cannot be used with allow_credentials")]
    [InlineData("type = \"cors\"\nallow_origins = [\"https://app.example.com/\"]", 5, "policies.p.allow_origins", "invalid origin")]
    [InlineData("type = \"cors\"\nallow_origins = [\"https://*.com\"]", 5, "policies.p.allow_origins", "at least two labels")]
    [InlineData("type = \"cors\"\nallow_origins = [\"https://a*.example.com\"]", 5, "policies.p.allow_origins", "invalid origin")]
    [InlineData("type = \"cors\"\nallow_origins = [\"https://a.example.com\"]\nallow_headers = [\"Bad Header\"]", 6, "policies.p.allow_headers", "not a header name")]
    [InlineData("type = \"cors\"\nallow_origin = [\"https://a.example.com\"]", 5, "policies.p.allow_origin", "unknown key")]
    [InlineData("type = \"transform\"\nrequest_headers = { set = { \"X-A\" = \"{header:}\" } }", 5, "policies.p.request_headers.set.X-A", "unknown variable")]
    [InlineData("type = \"transform\"\nrequest_headers = { set = { \"X-A\" = \"{user}\" } }", 5, "policies.p.request_headers.set.X-A", "unknown variable")]
    [InlineData("type = \"transform\"\nrequest_headers = { set = { \"X-A\" = \"a\\r\\nX-B: 1\" } }", 5, "policies.p.request_headers.set.X-A", "no CR, LF, NUL")]
    [InlineData("type = \"transform\"\nrequest_headers = { set = { \"Host\" = \"x\" } }", 5, "policies.p.request_headers.set.Host", "gateway writes itself")]
    [InlineData("type = \"transform\"\nrequest_headers = { remove = [\"Transfer-Encoding\"] }", 5, "policies.p.request_headers.remove", "gateway writes itself")]
    [InlineData("type = \"transform\"\nresponse_headers = { set = { \"Content-Length\" = \"1\" } }", 5, "policies.p.response_headers.set.Content-Length", "gateway writes itself")]
    [InlineData("type = \"transform\"\npath_regex = { pattern = \"(a\", replace = \"/\" }", 5, "policies.p.path_regex", "invalid pattern")]
    [InlineData("type = \"transform\"\npath_regex = { pattern = \"^/(?=a)\", replace = \"/\" }", 5, "policies.p.path_regex", "invalid pattern")]
    [InlineData("type = \"transform\"\npath_regex = { pattern = \"^/\", replace = \"/a b\" }", 5, "policies.p.path_regex", "replace must be a path")]
    [InlineData("type = \"transform\"\nquery = { set = { \"a&b\" = \"1\" } }", 5, "policies.p.query.set.a&b", "not a plain parameter name")]
    public void A_bad_policy_is_an_error_naming_file_line_and_key(string body, int line, string key, string message) =>
        AssertError(body, line, key, message);

    /// <summary>Loads <paramref name="body"/> as <c>[policies.p]</c> and asserts the error at <paramref name="key"/>.</summary>
    internal static void AssertError(string body, int line, string key, string message)
    {
        var result = Load($"{MinimalCluster}\n[policies.p]\n{body}\n");
        Assert.Null(result.Snapshot);
        var error = result.Errors.First(e => e.Key == key);
        Assert.Equal(("config.toml", line), (error.File, error.Line));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_unknown_policy_in_a_route_is_an_error_on_the_routes_line()
    {
        var error = SingleError($$"""
            [policies.per_ip]
            type = "rate_limit"
            rate = 5
            {{Route("[\"per_iq\"]")}}
            """);
        Assert.Equal(("config.toml", 9, "routes.api.policies"), (error.File, error.Line, error.Key));
        Assert.Contains("unknown policy \"per_iq\" (did you mean \"per_ip\"?)", error.Message);
    }

    [Fact]
    public void A_policy_listed_twice_is_an_error_and_a_policy_that_failed_to_bind_is_not_reported_again_as_unknown()
    {
        var result = Load($$"""
            [policies.bad]
            type = "rate_limit"
            rate = -1
            [policies.ok]
            type = "transform"
            {{Route("[\"bad\", \"ok\", \"ok\"]")}}
            """);
        Assert.Equal(["policies.bad.rate", "routes.api.policies"], result.Errors.Select(e => e.Key));
        Assert.Contains("listed twice", result.Errors[1].Message);
    }

    [Fact]
    public void Environment_overrides_reach_policy_keys()
    {
        var snapshot = Valid($"[policies.p]\ntype = \"rate_limit\"\nrate = 5\n{Route("[\"p\"]")}", new() { ["FASTGATE_POLICIES__P__RATE"] = "7" });
        Assert.Equal(7, Assert.IsType<RateLimitDefinition>(snapshot.Policies["p"]).Rule.Rate);
    }
}
