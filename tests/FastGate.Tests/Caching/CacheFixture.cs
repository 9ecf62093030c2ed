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

    /// <summary>
    /// An upstream that answers <paramref name="first"/> to a request without If-None-Match and
    /// <paramref name="conditional"/> to one with it, the latter once <paramref name="hold"/> (if any) completes.
    /// </summary>
    public static Task<CacheFixture> StartConditionalAsync(string first, string conditional, Task? hold = null) =>
        StartAsync(r => r.Header("If-None-Match") is null ? first : conditional,
            before: r => hold is null || r.Header("If-None-Match") is null ? Task.CompletedTask : hold);

    /// <summary>
    /// GET <paramref name="target"/> on <paramref name="count"/> connections at once; <paramref name="meanwhile"/>
    /// runs while the responses are awaited (it may release what holds them), then all of them are returned.
    /// </summary>
    public async Task<HttpResponse[]> ConcurrentAsync(int count, string target, Func<Task>? meanwhile = null)
    {
        var clients = Enumerable.Range(0, count).Select(_ => Gateway.Connect()).ToArray();
        try
        {
            foreach (var client in clients) client.Send($"GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var responses = clients.Select(c => c.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30))).ToArray();
            if (meanwhile is not null) await meanwhile();
            return await Task.WhenAll(responses);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
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
