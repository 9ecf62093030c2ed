using System.Text;
using FastGate.Http;
using FastGate.Routing;
using static FastGate.Tests.Routing.TestRoutes;

namespace FastGate.Tests.Routing;

public class RouteTableTests
{
    private static readonly HttpMethodSet GetOnly = HttpMethodSet.Of(HttpMethod.Get);

    private static Route[] SpecificityRoutes() =>
    [
        Route("any-all", "/{**rest}"),
        Route("any-api", "/api/{**rest}"),
        Route("any-api-exact", "/api"),
        Route("any-api-param", "/api/{version}"),
        Route("any-api-v1", "/api/v1"),
        Route("any-api-v1-all", "/api/v1/{**rest}"),
        Route("any-api-param-all", "/api/{version}/{**rest}"),
        Route("any-api-v1-get", "/api/v1", methods: GetOnly),
        Route("wild", "/{**rest}", host: "*.example.com"),
        Route("wild-long", "/{**rest}", host: "*.eu.example.com"),
        Route("exact", "/{**rest}", host: "www.example.com"),
    ];

    public static TheoryData<string, string, HttpMethod, string?> Cases => new()
    {
        { "other.test", "/", HttpMethod.Get, "any-all" },
        { "other.test", "/x/y", HttpMethod.Get, "any-all" },
        { "other.test", "/api", HttpMethod.Get, "any-api-exact" },
        { "other.test", "/api/", HttpMethod.Get, "any-api" },
        { "other.test", "/api/v2", HttpMethod.Get, "any-api-param" },
        { "other.test", "/api/v2/x", HttpMethod.Get, "any-api-param-all" },
        { "other.test", "/api/v1", HttpMethod.Get, "any-api-v1-get" },
        { "other.test", "/api/v1", HttpMethod.Post, "any-api-v1" },
        { "other.test", "/api/v1/x", HttpMethod.Get, "any-api-v1-all" },
        { "a.example.com", "/api", HttpMethod.Get, "wild" },
        { "a.eu.example.com:8443", "/api", HttpMethod.Get, "wild-long" },
        { "WWW.example.com", "/api", HttpMethod.Get, "exact" },
        { "example.com", "/api", HttpMethod.Get, "any-api-exact" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Most_specific_route_wins(string host, string path, HttpMethod method, string? expected)
    {
        Assert.Equal(expected, new RouteTable(SpecificityRoutes()).Match(host, path, method));
    }

    [Fact]
    public void Declaration_order_does_not_matter()
    {
        var routes = SpecificityRoutes();
        var forward = new RouteTable(routes);
        var backward = new RouteTable(routes.Reverse());
        var expectedOrder = forward.Routes.Select(r => r.Name).ToArray();
        Assert.Equal(expectedOrder, backward.Routes.Select(r => r.Name));
        for (var seed = 0; seed < 50; seed++)
        {
            var copy = (Route[])routes.Clone();
            new Random(seed).Shuffle(copy);
            Assert.Equal(expectedOrder, new RouteTable(copy).Routes.Select(r => r.Name));
        }
        foreach (var row in Cases)
        {
            var (host, path, method) = ((string)row[0], (string)row[1], (HttpMethod)row[2]);
            Assert.Equal(forward.Match(host, path, method), backward.Match(host, path, method));
        }
    }

    [Fact]
    public void Match_order_is_exact_then_wildcard_then_any_host()
    {
        var names = new RouteTable(SpecificityRoutes()).Routes.Select(r => r.Name).ToArray();
        Assert.Equal(["exact", "wild-long", "wild"], names[..3]);
        Assert.Equal("any-all", names[^1]);
    }

    [Fact]
    public void Method_sets_restrict_matches()
    {
        var table = new RouteTable(
        [
            Route("read", "/items", methods: HttpMethodSet.Of(HttpMethod.Get, HttpMethod.Head)),
            Route("write", "/items", methods: HttpMethodSet.Of(HttpMethod.Post, HttpMethod.Put)),
        ]);
        Assert.Equal("read", table.Match("h", "/items", HttpMethod.Get));
        Assert.Equal("read", table.Match("h", "/items", HttpMethod.Head));
        Assert.Equal("write", table.Match("h", "/items", HttpMethod.Post));
        Assert.Null(table.Match("h", "/items", HttpMethod.Delete));
        Assert.Null(table.Match("h", "/items", HttpMethod.Custom));
    }

    [Fact]
    public void Custom_method_matches_only_any_method_routes()
    {
        var table = new RouteTable([Route("get", "/x", methods: GetOnly), Route("any", "/x/{**rest}")]);
        Assert.Equal("any", table.Match("h", "/x", HttpMethod.Custom));
        Assert.Equal("get", table.Match("h", "/x", HttpMethod.Get));
    }

    [Fact]
    public void No_match_returns_null()
    {
        var table = new RouteTable([Route("a", "/a", host: "a.test")]);
        Assert.Null(table.Match("b.test", "/a", HttpMethod.Get));
        Assert.Null(table.Match("a.test", "/b", HttpMethod.Get));
        Assert.Null(RouteTable.Empty.Match("a.test", "/", HttpMethod.Get));
    }

    [Fact]
    public void Ties_are_broken_by_name()
    {
        // Different literals of the same specificity: both orders yield the same table.
        var t1 = new RouteTable([Route("b", "/b"), Route("a", "/a")]);
        var t2 = new RouteTable([Route("a", "/a"), Route("b", "/b")]);
        Assert.Equal(["a", "b"], t1.Routes.Select(r => r.Name));
        Assert.Equal(["a", "b"], t2.Routes.Select(r => r.Name));
    }

    [Fact]
    public void Duplicates_are_detected_and_rejected()
    {
        Route[] routes =
        [
            Route("one", "/users/{id}", host: "Example.com"),
            Route("two", "/users/{name}", host: "example.com"),
            Route("two-get", "/users/{name}", host: "example.com", methods: GetOnly),
            Route("three", "/users/{id}", host: "*.example.com"),
            Route("four", "/static/*"),
            Route("five", "/static/{**rest}"),
            Route("six", "/p", methods: GetOnly),
            Route("seven", "/p", methods: HttpMethodSet.Of(HttpMethod.Post)),
            Route("eight", "/q", methods: HttpMethodSet.Of(HttpMethod.Get, HttpMethod.Post)),
            Route("nine", "/q", methods: HttpMethodSet.Of(HttpMethod.Post, HttpMethod.Put)),
        ];
        var conflicts = RouteTable.FindConflicts(routes);
        Assert.Equal(3, conflicts.Count);
        Assert.Contains(conflicts, c => new[] { c.First.Name, c.Second.Name }.Order().SequenceEqual(["eight", "nine"]));
        Assert.Contains(conflicts, c => new[] { c.First.Name, c.Second.Name }.Order().SequenceEqual(["one", "two"]));
        Assert.Contains(conflicts, c => new[] { c.First.Name, c.Second.Name }.Order().SequenceEqual(["five", "four"]));
        Assert.Throws<ArgumentException>(() => new RouteTable(routes));
    }

    [Fact]
    public void Invalid_pattern_throws()
    {
        Assert.Throws<FormatException>(() => new RouteTable([Route("bad", "no-slash")]));
        Assert.Throws<FormatException>(() => new RouteTable([Route("bad", "/a", host: "a:80")]));
    }

    [Fact]
    public void Hundred_route_table_matches_each_route()
    {
        var routes = new List<Route>();
        for (var i = 0; i < 100; i++)
        {
            routes.Add((i % 4) switch
            {
                0 => Route($"r{i:D3}", $"/svc{i}/{{**rest}}"),
                1 => Route($"r{i:D3}", $"/svc{i}/items/{{id}}"),
                2 => Route($"r{i:D3}", $"/svc{i}", host: $"h{i}.test"),
                _ => Route($"r{i:D3}", $"/svc{i}/{{**rest}}", host: $"*.w{i}.test"),
            });
        }
        var table = new RouteTable(routes);
        Assert.Equal(100, table.Routes.Count);
        for (var i = 0; i < 100; i++)
        {
            var (host, path) = (i % 4) switch
            {
                0 => ("any.test", $"/svc{i}/a/b"),
                1 => ("any.test", $"/svc{i}/items/9"),
                2 => ($"h{i}.test:80", $"/svc{i}"),
                _ => ($"x.w{i}.test", $"/svc{i}/deep/path"),
            };
            Assert.Equal($"r{i:D3}", table.Match(host, path));
        }
        Assert.Null(table.Match("any.test", "/svc100"));
    }

    [Fact]
    public void Match_allocates_nothing()
    {
        var routes = new List<Route>(SpecificityRoutes());
        for (var i = 0; i < 50; i++) routes.Add(Route($"pad{i}", $"/pad{i}/{{id}}", host: $"p{i}.test"));
        var table = new RouteTable(routes);
        var host = Encoding.ASCII.GetBytes("a.eu.example.com:8443");
        var host2 = Encoding.ASCII.GetBytes("nobody.test");
        var path = Encoding.ASCII.GetBytes("/api/v2/some/thing");
        Route? r = null;
        for (var i = 0; i < 100; i++) r = table.Match(host, path, HttpMethod.Get); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            r = table.Match(host, path, HttpMethod.Get);
            r = table.Match(host2, path, HttpMethod.Post) ?? r;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotNull(r);
    }
}
