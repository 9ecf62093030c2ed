using BenchmarkDotNet.Attributes;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>
/// Step 2: <see cref="RouteTable.Match"/> over 100 routes. The table is ordered most specific first (exact hosts,
/// then wildcard hosts, then any host), so a request for an any-host route, and a miss, walk most of the list.
/// </summary>
[MemoryDiagnoser]
public class RouteMatchBenchmarks
{
    private RouteTable _table = RouteTable.Empty;

    private readonly byte[] _anyHost = Samples.Ascii("www.example.com");
    private readonly byte[] _apiHost = Samples.Ascii("api.example.com:443");
    private readonly byte[] _shopHost = Samples.Ascii("eu.shop.example.com");
    private readonly byte[] _exactPath = Samples.Ascii("/svc17/health");
    private readonly byte[] _paramPath = Samples.Ascii("/svc9/items/12345/reviews");
    private readonly byte[] _catchAllPath = Samples.Ascii("/svc3/static/js/app.min.js");
    private readonly byte[] _apiPath = Samples.Ascii("/v3/users/42");
    private readonly byte[] _shopPath = Samples.Ascii("/cart4/sku-1001");
    private readonly byte[] _missPath = Samples.Ascii("/nothing/here/at/all");

    [GlobalSetup]
    public void Setup()
    {
        var cluster = new Cluster("c", [], Balancing.RoundRobinBalancer.ConfigName, new ClusterOptions());
        var routes = new List<Route>();
        void Add(string name, string path, string? host = null, HttpMethodSet? methods = null) => routes.Add(new Route
        {
            Name = name, Path = path, Host = host, Methods = methods ?? HttpMethodSet.Any, Cluster = cluster,
        });

        // 10 exact-host routes.
        for (var i = 0; i < 5; i++)
        {
            Add($"api-users-{i}", $"/v{i}/users/{{id}}", "api.example.com");
            Add($"api-rest-{i}", $"/v{i}/{{**rest}}", "api.example.com");
        }
        // 10 wildcard-host routes, half of them POST-only.
        for (var i = 0; i < 5; i++)
        {
            Add($"shop-cart-{i}", $"/cart{i}", "*.shop.example.com", HttpMethodSet.Of(HttpMethod.Post));
            Add($"shop-item-{i}", $"/cart{i}/{{item}}", "*.shop.example.com");
        }
        // 80 any-host routes: exact, one and two parameters, catch-all.
        for (var i = 0; i < 20; i++)
        {
            Add($"svc-health-{i}", $"/svc{i}/health");
            Add($"svc-item-{i}", $"/svc{i}/items/{{id}}");
            Add($"svc-reviews-{i}", $"/svc{i}/items/{{id}}/reviews");
            Add($"svc-static-{i}", $"/svc{i}/static/{{**path}}");
        }
        _table = new RouteTable(routes);

        Expect(ExactPath(), "svc-health-17");
        Expect(ParameterPath(), "svc-reviews-9");
        Expect(CatchAll(), "svc-static-3");
        Expect(ExactHost(), "api-users-3");
        Expect(WildcardHost(), "shop-item-4");
        Expect(Miss(), null);
    }

    [Benchmark]
    public Route? ExactPath() => _table.Match(_anyHost, _exactPath, HttpMethod.Get);

    [Benchmark]
    public Route? ParameterPath() => _table.Match(_anyHost, _paramPath, HttpMethod.Get);

    [Benchmark]
    public Route? CatchAll() => _table.Match(_anyHost, _catchAllPath, HttpMethod.Get);

    [Benchmark]
    public Route? ExactHost() => _table.Match(_apiHost, _apiPath, HttpMethod.Get);

    [Benchmark]
    public Route? WildcardHost() => _table.Match(_shopHost, _shopPath, HttpMethod.Get);

    /// <summary>No route matches: the whole table is walked.</summary>
    [Benchmark]
    public Route? Miss() => _table.Match(_anyHost, _missPath, HttpMethod.Get);

    private static void Expect(Route? route, string? name)
    {
        if (route?.Name != name) throw new InvalidOperationException($"expected route {name ?? "none"}, matched {route?.Name ?? "none"}");
    }
}
