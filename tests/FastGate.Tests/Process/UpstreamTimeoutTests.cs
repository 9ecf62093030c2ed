using System.Diagnostics;
using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Response, body and total timeouts per cluster and per route, in the native binary.</summary>
public class UpstreamTimeoutTests
{
    /// <summary>/slow-head answers after 1 s; /slow-body sends half its body, pauses 600 ms, then the rest.</summary>
    private static ScriptedUpstream Dawdler() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            if (request.Target.StartsWith("/slow-head", StringComparison.Ordinal))
            {
                await Task.Delay(1000);
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            else
            {
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
                await Task.Delay(600);
                s.Send("67890");
            }
        }
    });

    private static Task<GatewayProcess> StartAsync(ScriptedUpstream upstream, string clusterKeys, string strictRouteKeys) => GatewayProcess.StartAsync($$"""
        [clusters.backend]
        destinations = ["{{upstream.EndPoint}}"]
        {{clusterKeys}}
        [routes.strict]
        path = "/strict/{**rest}"
        cluster = "backend"
        strip_prefix = "/strict"
        {{strictRouteKeys}}
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """);

    private static async Task<(HttpResponse? Response, TimeSpan Took)> GetAsync(GatewayProcess gateway, string path)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var watch = Stopwatch.StartNew();
        client.Send($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
        try
        {
            return (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5)), watch.Elapsed);
        }
        catch (EndOfStreamException)
        {
            return (null, watch.Elapsed); // closed before a whole response: cut off mid-body
        }
    }

    [Fact]
    public async Task A_route_can_shorten_its_clusters_response_timeout()
    {
        await using var upstream = Dawdler();
        using var gateway = await StartAsync(upstream, "response_timeout = \"5s\"", "response_timeout = \"200ms\"");
        var (strict, took) = await GetAsync(gateway, "/strict/slow-head");
        // A 504 at all means the route's 200 ms fired before the upstream's answer at 1 s; not before 200 ms, though.
        Assert.Equal(504, strict!.Status);
        Assert.True(took >= TimeSpan.FromMilliseconds(190), $"answered after {took.TotalMilliseconds} ms");
        Assert.Equal(200, (await GetAsync(gateway, "/slow-head")).Response!.Status);
    }

    [Fact]
    public async Task A_pause_in_the_body_longer_than_body_timeout_cuts_the_response()
    {
        await using var upstream = Dawdler();
        using var gateway = await StartAsync(upstream, "response_timeout = \"5s\"", "body_timeout = \"300ms\"");
        Assert.Null((await GetAsync(gateway, "/strict/slow-body")).Response);
        var (whole, _) = await GetAsync(gateway, "/slow-body"); // the cluster's body timeout is its response timeout
        Assert.Equal("1234567890", whole!.Body);
    }

    [Fact]
    public async Task The_request_timeout_bounds_the_whole_exchange()
    {
        await using var upstream = Dawdler();
        using var gateway = await StartAsync(upstream, "request_timeout = \"400ms\"", "request_timeout = \"5s\"");
        var (late, took) = await GetAsync(gateway, "/slow-head");
        Assert.Equal(504, late!.Status);
        Assert.True(took >= TimeSpan.FromMilliseconds(390), $"answered after {took.TotalMilliseconds} ms");
        Assert.Null((await GetAsync(gateway, "/slow-body")).Response); // each pause is short, the whole is not
        Assert.Equal(200, (await GetAsync(gateway, "/strict/slow-head")).Response!.Status); // the route's own is longer
    }
}
