using System.Net.Http;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Policies on the native binary: a rate limit, CORS and a regex transform under Native AOT, its metric, and hot reload.</summary>
public class PolicyProcessTests
{
    private static string Config(ScriptedUpstream upstream, int rate, string extra = "") => $$"""
        [clusters.backend]
        destinations = ["{{upstream.EndPoint}}"]
        [policies.per_ip]
        type = "rate_limit"
        key = "client_ip"
        rate = {{rate}}
        period = "1m"
        [policies.web_cors]
        type = "cors"
        allow_origins = ["https://*.example.com"]
        allow_methods = ["PUT"]
        [policies.tag]
        type = "transform"
        path_regex = { pattern = "^/v1/(.*)$", replace = "/$1" }
        request_headers = { set = { "X-Route" = "{route}" } }
        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = ["web_cors", "per_ip", "tag"]
        {{extra}}
        """;

    private static async Task<HttpResponse> GetAsync(RawClient client, string path = "/v1/x", string headers = "")
    {
        client.Send($"GET {path} HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task Rate_limit_CORS_and_transform_work_on_the_native_binary_count_in_metrics_and_keep_their_buckets_across_a_reload()
    {
        await using var upstream = Policies.PolicyGateway.Upstream();
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, rate: 3));
        using var client = RawClient.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, gateway.Port));

        // The preflight is answered by the gateway and costs no token.
        client.Send("OPTIONS /v1/x HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n\r\n");
        var preflight = await client.ReadResponseAsync();
        Assert.Equal(204, preflight.Status);
        Assert.Equal("https://app.example.com", preflight.Header("Access-Control-Allow-Origin"));

        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetAsync(client, headers: "Origin: https://app.example.com\r\n")).Status);
        var limited = await GetAsync(client, headers: "Origin: https://app.example.com\r\n");
        Assert.Equal(429, limited.Status);
        Assert.Equal("\"per_ip\";q=3;w=60", limited.Header("RateLimit-Policy"));
        Assert.NotNull(limited.Header("Retry-After"));
        Assert.Equal("https://app.example.com", limited.Header("Access-Control-Allow-Origin")); // a browser can read the 429
        Assert.All(upstream.Requests, r => Assert.Equal(("/x", "api"), (r.Target, r.Header("X-Route"))));
        Assert.Equal(3, upstream.Requests.Count);

        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        Assert.Contains("fastgate_rate_limited_total{route=\"api\",policy=\"per_ip\"} 1", await http.GetStringAsync("/metrics"));

        // A reload that leaves the policy as it was keeps its buckets: the client is still limited.
        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config(upstream, rate: 3, extra: "[routes.other]\npath = \"/other\"\ncluster = \"backend\""), byRename: true);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 2 ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), from);
        Assert.Equal(429, (await GetAsync(client)).Status);
        Assert.Contains("fastgate_rate_limited_total{route=\"api\",policy=\"per_ip\"} 2", await http.GetStringAsync("/metrics"));

        // A changed rule starts afresh.
        from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config(upstream, rate: 5), byRename: true);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 3 ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), from);
        Assert.Equal(200, (await GetAsync(client)).Status);
    }

    [Fact]
    public async Task A_jwt_policy_validates_RS256_from_a_PEM_file_and_ES256_from_a_JWKS_URL_on_the_native_binary()
    {
        var rsa = new Policies.JwtKeys("RS256");
        var ec = new Policies.JwtKeys("ES256", kid: "ec-1");
        await using var jwks = new Policies.JwksServer(Policies.JwtKeys.JwksJson(ec));
        await using var upstream = Policies.PolicyGateway.Upstream();
        var pem = Path.Combine(Path.GetTempPath(), $"fastgate-jwt-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, rsa.PublicPem);
        try
        {
            var config = $$"""
                [clusters.backend]
                destinations = ["{{upstream.EndPoint}}"]
                [policies.rs]
                type = "jwt"
                issuer = "{{Policies.JwtKeys.Issuer}}"
                audience = "{{Policies.JwtKeys.Audience}}"
                algorithms = ["RS256"]
                public_key_file = "{{pem}}"
                forward_claims = { sub = "X-User-Id" }
                [policies.es]
                type = "jwt"
                issuer = "{{Policies.JwtKeys.Issuer}}"
                audience = "{{Policies.JwtKeys.Audience}}"
                algorithms = ["ES256"]
                jwks = "{{jwks.Url}}"
                [routes.rs]
                path = "/rs"
                cluster = "backend"
                policies = ["rs"]
                [routes.es]
                path = "/es"
                cluster = "backend"
                policies = ["es"]

                """;
            using var gateway = await GatewayProcess.StartAsync(config);
            using var client = RawClient.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, gateway.Port));
            Assert.Equal(200, (await GetAsync(client, "/rs", $"Authorization: Bearer {rsa.Token()}\r\nX-User-Id: forged\r\n")).Status);
            Assert.True(upstream.Requests.TryDequeue(out var seen));
            Assert.Equal("alice", seen.Header("X-User-Id"));
            Assert.Equal(200, (await GetAsync(client, "/es", $"Authorization: Bearer {ec.Token()}\r\n")).Status);
            var wrong = await GetAsync(client, "/rs", $"Authorization: Bearer {ec.Token()}\r\n");
            Assert.Equal((401, "Bearer error=\"invalid_token\""), (wrong.Status, wrong.Header("WWW-Authenticate")));
            Assert.Equal(401, (await GetAsync(client, "/es", $"Authorization: Bearer {rsa.Token()}\r\n")).Status);
            Assert.Single(upstream.Requests);

            // A reload that leaves the jwks policy as it was keeps its keys: no refetch, the next token checks at once.
            var fetches = jwks.Fetches;
            var from = gateway.LineCount;
            await gateway.WriteConfigAsync(config + "[routes.other]\npath = \"/other\"\ncluster = \"backend\"\n", byRename: true);
            gateway.Reload();
            await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 2 ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), from);
            Assert.Equal(200, (await GetAsync(client, "/es", $"Authorization: Bearer {ec.Token()}\r\n")).Status);
            Assert.Equal(fetches, jwks.Fetches);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public async Task A_jwt_policy_whose_algorithm_does_not_fit_its_key_is_refused_at_load_with_file_line_and_key()
    {
        await using var upstream = Policies.PolicyGateway.Upstream();
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-jwt-{Guid.NewGuid():N}.toml");
        await File.WriteAllTextAsync(path, Config(upstream, 3).Replace("type = \"rate_limit\"\nkey = \"client_ip\"\nrate = 3\nperiod = \"1m\"",
            "type = \"jwt\"\nalgorithms = [\"HS256\"]\njwks = \"https://id.example.com/jwks\""));
        try
        {
            var (fileName, arguments) = TestPaths.GatewayCommand();
            var info = new System.Diagnostics.ProcessStartInfo(fileName, [.. arguments, "validate", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(1, process.ExitCode);
            Assert.Contains($"{path}:6: policies.per_ip.jwks: HS256 needs a shared secret", output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
