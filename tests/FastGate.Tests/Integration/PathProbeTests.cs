using FastGate.Balancing;
using FastGate.Routing;
using FastGate.Tests.Http;
using FastGate.Upstreams;

namespace FastGate.Tests.Integration;

/// <summary>
/// Traversal probes over real sockets: "/public/{**rest}" goes to upstream A, "/admin/{**rest}" to upstream B. Each
/// probe must reach the upstream its normalised path routes to, as exactly that path, or be refused with 400; none may
/// reach A as a path that resolves to /admin.
/// </summary>
public class PathProbeTests
{
    public static TheoryData<string, string, string> Probes => new()
    {
        // options, request-target, expected: "A <path>", "B <path>" or "400"
        { "default", "/public/x", "A /public/x" },
        { "default", "/public/../admin/x", "B /admin/x" },
        { "default", "/public/%2e%2e/admin/x", "B /admin/x" },
        { "default", "/public/%2E%2E/admin/x", "B /admin/x" },
        { "default", "/public/.%2e/admin/x", "B /admin/x" },
        { "default", "/public/x/../../admin/x", "B /admin/x" },
        { "default", "/public/./../admin/x", "B /admin/x" },
        { "merge", "/public//../admin/x", "B /admin/x" },
        { "default", "/public/x/%2e%2e/%2e%2e/admin/x", "B /admin/x" },
        { "default", "/public/..%2fadmin/x", "400" },
        { "default", "/public/%2e%2e%2fadmin/x", "400" },
        { "default", "/public/..%5cadmin/x", "400" },
        { "default", "/public/../../admin/x", "400" },
        { "default", "/public/%zz/x", "400" },
        { "default", "/public/%00/x", "400" },
        // double encoding decodes once: "%252e" is the three characters "%2e", not a dot segment
        { "default", "/public/%252e%252e/admin/x", "A /public/%252e%252e/admin/x" },
        // "..;" is no dot segment in RFC 3986; an upstream that strips path parameters (Tomcat) must judge it itself
        { "default", "/public/..;/admin/x", "A /public/..;/admin/x" },
        { "default", "http://host/public/../admin/x", "B /admin/x" },
        { "default", "/public/%41dmin?q=/../admin", "A /public/Admin?q=/../admin" },
        { "default", "/public//../admin/x", "A /public/admin/x" },
        { "default", "/public//x", "A /public//x" },
        { "merge", "/public//x", "A /public/x" },
        { "keep", "/public/..%2fadmin/x", "A /public/..%2Fadmin/x" },
        { "keep", "/public/..%5cadmin/x", "A /public/..%5Cadmin/x" },
        { "decode", "/public/..%2fadmin/x", "B /admin/x" },
        { "decode", "/public/%2e%2e%2fadmin/x", "B /admin/x" },
        { "decode", "/public/..%5cadmin/x", "B /admin/x" },
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task ProbeReachesTheUpstreamItsNormalisedPathRoutesTo(string options, string target, string expected)
    {
        await using var a = ScriptedUpstream.Ok("A");
        await using var b = ScriptedUpstream.Ok("B");
        using var runtimeB = new UpstreamRuntime();
        var clusterB = BoundCluster("admin", b, runtimeB);
        await using var gateway = await TestGateway.StartAsync([a.EndPoint], PathLimits.For(options), routes: clusterA =>
        [
            new Route { Name = "public", Path = "/public/{**rest}", Cluster = clusterA },
            new Route { Name = "admin", Path = "/admin/{**rest}", Cluster = clusterB },
        ]);
        using var client = gateway.Connect();

        client.Send($"GET {target} HTTP/1.1\r\nHost: host\r\n\r\n");
        var response = await client.ReadResponseAsync();

        if (expected == "400")
        {
            Assert.Equal(400, response.Status);
            Assert.Empty(a.Requests);
            Assert.Empty(b.Requests);
            return;
        }
        var (upstream, other) = expected[0] == 'A' ? (a, b) : (b, a);
        Assert.Equal(200, response.Status);
        Assert.Equal(expected[..1], response.Body);
        Assert.Equal(expected[2..], Assert.Single(upstream.Requests).Target);
        Assert.Empty(other.Requests);
    }

    [Fact]
    public async Task PrefixRewritingAppliesToTheNormalisedPath()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], routes: c =>
            [new Route { Name = "api", Path = "/api/{**rest}", Cluster = c, StripPrefix = "/api"u8.ToArray(), AddPrefix = "/v2"u8.ToArray() }]);
        using var client = gateway.Connect();

        client.Send("GET /api/x/%2e%2e/users%2D1?a=%2e%2e HTTP/1.1\r\nHost: h\r\n\r\n");

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("/v2/users-1?a=%2e%2e", Assert.Single(upstream.Requests).Target);
    }

    /// <summary>A second cluster for the test's routes, bound to a runtime of its own (the test gateway binds only "backend").</summary>
    private static Cluster BoundCluster(string name, ScriptedUpstream upstream, UpstreamRuntime runtime)
    {
        var options = new ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(2) };
        var cluster = new Cluster(name, [new Destination(upstream.EndPoint.ToString(), upstream.EndPoint)], RoundRobinBalancer.ConfigName, options);
        runtime.Bind([cluster]);
        return cluster;
    }
}
