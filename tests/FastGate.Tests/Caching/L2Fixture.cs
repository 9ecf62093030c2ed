using FastGate.Caching;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Caching;

/// <summary>
/// Two gateways (A and B), each with its own cache runtime, in front of one scripted upstream and sharing one Redis
/// namespace: what A fills, B can find in L2.
/// </summary>
internal sealed class L2Fixture : IAsyncDisposable
{
    private L2Fixture(ScriptedUpstream upstream, Node a, Node b)
    {
        Upstream = upstream;
        A = a;
        B = b;
    }

    public ScriptedUpstream Upstream { get; }
    public Node A { get; }
    public Node B { get; }
    public int UpstreamRequests => Upstream.Requests.Count;

    public sealed record Node(TestGateway Gateway, CacheRuntime Runtime)
    {
        public RedisTier L2 => Runtime.L2!;

        public async Task<HttpResponse> SendAsync(string target, string headers = "")
        {
            using var client = Gateway.Connect();
            client.Send($"GET {target} HTTP/1.1\r\nHost: example.com\r\n{headers}\r\n");
            return await client.ReadResponseAsync();
        }
    }

    public static async Task<L2Fixture> StartAsync(string redis, Func<UpstreamRequest, string> respond, RouteCacheOptions? route = null,
        TimeSpan? timeout = null, bool waitConnected = true, Func<CacheOptions, CacheOptions>? tune = null)
    {
        var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request) s.Send(respond(request));
        });
        var options = CacheOptions.Default with { Redis = redis, Namespace = "t" + Guid.NewGuid().ToString("N")[..8] };
        // Generous unless the test is about the timeout: a loaded test machine may take more than 50 ms to answer.
        options = options with { RedisTimeout = timeout ?? TimeSpan.FromSeconds(2) };
        if (tune is not null) options = tune(options);
        var a = await NodeAsync(upstream, options, route);
        var b = await NodeAsync(upstream, options, route);
        var fixture = new L2Fixture(upstream, a, b);
        if (waitConnected) await Until(() => a.L2.Connected && b.L2.Connected, "both instances connected to Redis");
        return fixture;
    }

    public string Namespace => A.L2.Namespace;

    private static async Task<Node> NodeAsync(ScriptedUpstream upstream, CacheOptions options, RouteCacheOptions? route)
    {
        var runtime = new CacheRuntime(options);
        var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, runtime, route, options);
        return new Node(gateway, runtime);
    }

    /// <summary>Waits until <paramref name="condition"/> holds (10 s at most), failing with <paramref name="what"/>.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never: {what}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in (Node[])[A, B])
        {
            await node.Gateway.DisposeAsync();
            if (node.Runtime.L2 is { } l2) await l2.DisposeAsync();
        }
        await Upstream.DisposeAsync();
    }
}
