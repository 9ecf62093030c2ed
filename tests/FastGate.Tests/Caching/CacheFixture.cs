using FastGate.Caching;
using FastGate.Routing;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Caching;

/// <summary>A gateway with one cached route in front of a scripted upstream whose answer the test chooses per request.</summary>
internal sealed class CacheFixture : IAsyncDisposable
{
    private CacheFixture(ScriptedUpstream upstream, TestGateway gateway, CacheRuntime runtime, Route route)
    {
        Upstream = upstream;
        Gateway = gateway;
        Runtime = runtime;
        Route = route;
    }

    public ScriptedUpstream Upstream { get; }
    public TestGateway Gateway { get; }
    public CacheRuntime Runtime { get; }
    public Route Route { get; }
    public int UpstreamRequests => Upstream.Requests.Count;

    public static async Task<CacheFixture> StartAsync(Func<UpstreamRequest, string> respond, RouteCacheOptions? options = null,
        CacheOptions? cache = null, Func<UpstreamRequest, Task>? before = null)
    {
        var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
            {
                if (before is not null) await before(request);
                s.Send(respond(request));
            }
        });
        var runtime = new CacheRuntime(cache);
        Route? route = null;
        var gateway = await StartGatewayAsync(upstream.EndPoint, runtime, options, cache, r => route = r);
        return new CacheFixture(upstream, gateway, runtime, route!);
    }

    /// <summary>A gateway whose one route, "cached", has a cache on <paramref name="runtime"/>.</summary>
    public static Task<TestGateway> StartGatewayAsync(System.Net.IPEndPoint upstream, CacheRuntime runtime, RouteCacheOptions? options = null,
        CacheOptions? cache = null, Action<Route>? bound = null, FastGate.Upstreams.UpstreamTimeouts? timeouts = null) =>
        TestGateway.StartAsync([upstream], routes: c =>
        {
            var route = new Route
            {
                Name = "cached", Path = "/{**rest}", Cluster = c, CacheOptions = options ?? new RouteCacheOptions(), Timeouts = timeouts ?? c.Options.Timeouts,
            };
            runtime.Bind(cache ?? CacheOptions.Default, [route]);
            bound?.Invoke(route);
            return [route];
        });

    /// <summary>A 200 with the body and the extra header lines (each ending in CRLF).</summary>
    public static string Ok(string body, string headers = "", int status = 200, string reason = "OK") =>
        $"HTTP/1.1 {status} {reason}\r\nContent-Length: {body.Length}\r\n{headers}\r\n{body}";

    /// <summary>One request on a new connection; <paramref name="headers"/> are extra lines, each ending in CRLF.</summary>
    public async Task<HttpResponse> SendAsync(string target, string headers = "", string method = "GET")
    {
        using var client = Gateway.Connect();
        client.Send($"{method} {target} HTTP/1.1\r\nHost: example.com\r\n{headers}\r\n");
        return await client.ReadResponseAsync(headRequest: method == "HEAD");
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
