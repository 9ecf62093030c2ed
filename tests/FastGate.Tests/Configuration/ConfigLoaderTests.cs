using System.Net;
using System.Text;
using FastGate.Balancing;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Routing;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class ConfigLoaderTests
{
    private const string FullConfig = """
        # FastGate test config
        [server]
        listen = ["127.0.0.1:8080", "[::1]:8081", "localhost:8082", "*:8083"]
        drain_timeout = "45s"
        trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]

        [limits]
        max_request_line = 4096
        max_header_bytes = "16KiB"
        max_header_count = 50
        max_request_body = "1MB"
        header_timeout = "5s"
        keepalive_timeout = "1m30s"
        send_timeout = "15s"

        [clusters.backend]
        destinations = ["127.0.0.1:9001", "127.0.0.1:9002"]
        balancer = "least_connections"
        max_connections = 64
        max_idle_connections = 8
        idle_timeout = "30s"
        connect_timeout = "500ms"
        response_timeout = 20

        [clusters.static]
        destinations = ["localhost:9100"]

        [routes.api]
        cluster = "backend"
        path = "/api/{**rest}"
        host = "*.example.com"
        methods = ["GET", "POST"]
        strip_prefix = "/api"
        add_prefix = "/v1"
        host_header = "destination"

        [routes.assets]
        cluster = "static"
        path = "/static/*"
        host_header = "cdn.internal"

        [routes.fallback]
        cluster = "backend"
        path = "/{**rest}"
        """;

    [Fact]
    public void Full_valid_file_builds_a_snapshot()
    {
        var s = Valid(FullConfig);

        Assert.Equal(
            [new IPEndPoint(IPAddress.Loopback, 8080), new IPEndPoint(IPAddress.IPv6Loopback, 8081),
             new IPEndPoint(IPAddress.Loopback, 8082), new IPEndPoint(IPAddress.Any, 8083)],
            s.Listeners);
        Assert.Equal(TimeSpan.FromSeconds(45), s.DrainTimeout);
        Assert.Equal([IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")], s.TrustedProxies);

        Assert.Equal(4096, s.Limits.MaxRequestLineBytes);
        Assert.Equal(16 * 1024, s.Limits.MaxHeaderBytes);
        Assert.Equal(50, s.Limits.MaxHeaderCount);
        Assert.Equal(1_000_000, s.Limits.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), s.Limits.HeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), s.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), s.Limits.SendTimeout);

        var backend = s.Clusters["backend"];
        Assert.Equal(LeastConnectionsBalancer.ConfigName, backend.BalancerName);
        Assert.Equal(["127.0.0.1:9001", "127.0.0.1:9002"], backend.Destinations.Select(d => d.Address));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9002), backend.Destinations[1].EndPoint);
        Assert.False(backend.IsBound, "loading creates no runtime state (pools, balancers)");
        Assert.Equal(64, backend.Options.MaxConnectionsPerDestination);
        Assert.Equal(8, backend.Options.MaxIdleConnectionsPerDestination);
        Assert.Equal(TimeSpan.FromSeconds(30), backend.Options.IdleTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), backend.Options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), backend.Options.ResponseTimeout);

        var statics = s.Clusters["static"];
        Assert.Equal(RoundRobinBalancer.ConfigName, statics.BalancerName);
        Assert.Equal(64, statics.Options.MaxIdleConnectionsPerDestination);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9100), statics.Destinations[0].EndPoint);

        var api = s.Routes.Routes.Single(r => r.Name == "api");
        Assert.Same(backend, api.Cluster);
        Assert.Equal("*.example.com", api.Host);
        Assert.Equal(HttpMethodSet.Of(HttpMethod.Get, HttpMethod.Post), api.Methods);
        Assert.Equal("/api"u8.ToArray(), api.StripPrefix);
        Assert.Equal("/v1"u8.ToArray(), api.AddPrefix);
        Assert.Equal(HostHeaderMode.Destination, api.HostHeader);

        var assets = s.Routes.Routes.Single(r => r.Name == "assets");
        Assert.Equal(HostHeaderMode.Fixed, assets.HostHeader);
        Assert.Equal("cdn.internal"u8.ToArray(), assets.FixedHost);
        Assert.True(assets.Methods.IsAny);

        Assert.Equal(["api", "assets", "fallback"], s.Routes.Routes.Select(r => r.Name));
        Assert.Same(api, s.Routes.Match("x.example.com"u8, "/api/users"u8, HttpMethod.Get));
        Assert.Equal("fallback", s.Routes.Match("x.example.com"u8, "/api/users"u8, HttpMethod.Delete)?.Name);
        Assert.Equal("assets", s.Routes.Match("other"u8, "/static/a.css"u8, HttpMethod.Get)?.Name);
    }

    [Fact]
    public void Empty_file_uses_defaults()
    {
        var s = Valid("");
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 8080)], s.Listeners);
        Assert.Equal(HttpLimits.Default, s.Limits);
        Assert.Equal(TimeSpan.FromSeconds(30), s.DrainTimeout);
        Assert.Empty(s.TrustedProxies);
        Assert.Empty(s.Clusters);
        Assert.Empty(s.Routes.Routes);
    }

    [Fact]
    public void Cluster_defaults_match_ClusterOptions()
    {
        var s = Valid(MinimalCluster);
        Assert.Equal(new FastGate.Upstreams.ClusterOptions(), s.Clusters["backend"].Options);
        Assert.Equal(RoundRobinBalancer.ConfigName, s.Clusters["backend"].BalancerName);
    }

    [Fact]
    public void Max_request_body_zero_means_unlimited()
    {
        Assert.Equal(-1, Valid("[limits]\nmax_request_body = 0").Limits.MaxRequestBodyBytes);
    }

    [Fact]
    public void Dotted_keys_and_inline_tables_are_read()
    {
        var s = Valid("""
            clusters.a = { destinations = ["127.0.0.1:1"], balancer = "least_connections" }
            [routes]
            r.cluster = "a"
            r.path = "/"
            """);
        Assert.Equal(LeastConnectionsBalancer.ConfigName, s.Clusters["a"].BalancerName);
        Assert.Equal("a", s.Routes.Routes[0].Cluster.Name);
    }

    [Fact]
    public void Missing_file_is_an_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-missing-{Guid.NewGuid():N}.toml");
        var result = ConfigLoader.LoadFile(path);
        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.File);
        Assert.Equal($"{path}: file not found", error.ToString());
    }

    [Fact]
    public void LoadFile_reads_the_file_and_names_it_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "[limits]\nheader_timeout = \"soon\"\n", Encoding.UTF8);
        try
        {
            var error = Assert.Single(ConfigLoader.LoadFile(path).Errors);
            Assert.StartsWith($"{path}:2: limits.header_timeout: bad duration \"soon\"", error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Summary_lists_listeners_routes_in_match_order_and_clusters()
    {
        var text = SnapshotSummary.Describe(Valid(FullConfig));
        Assert.Contains("127.0.0.1:8080, [::1]:8081", text);
        Assert.Contains("request line 4KiB", text);
        Assert.Contains("keep-alive 1m30s", text);
        Assert.Contains("10.0.0.0/8", text);
        var api = text.IndexOf("api ", StringComparison.Ordinal);
        var fallback = text.IndexOf("fallback", StringComparison.Ordinal);
        Assert.True(api >= 0 && fallback > api, text);
        Assert.Matches(@"1\.\s+api\s+GET,POST\s+\*\.example\.com\s+/api/\{\*\*rest\}\s+-> backend\s+strip /api, add /v1, host=destination", text);
        Assert.Contains("host=cdn.internal", text);
        Assert.Contains("backend  least_connections, max 64 conn/destination (8 idle), idle 30s, connect 500ms, response 20s", text);
        Assert.Contains("localhost:9100 (127.0.0.1:9100)", text);
        Assert.True(text.Split('\n').Length < 40, text);
    }

    [Fact]
    public void Transport_defaults_to_epoll_on_linux_and_sockets_can_be_chosen()
    {
        Assert.Equal(FastGate.Transport.TransportSelection.PlatformDefault, Valid(MinimalCluster).Transport);
        Assert.Equal(FastGate.Transport.TransportKind.Sockets, Valid("[server]\ntransport = \"sockets\"\n" + MinimalCluster).Transport);
        Assert.Equal(FastGate.Transport.TransportKind.Sockets,
            Valid(MinimalCluster, new() { ["FASTGATE_SERVER__TRANSPORT"] = "sockets" }).Transport);
        if (OperatingSystem.IsLinux())
            Assert.Equal(FastGate.Transport.TransportKind.Epoll, Valid("[server]\ntransport = \"epoll\"\n" + MinimalCluster).Transport);
    }

    [Fact]
    public void Watch_config_is_off_by_default_and_can_be_turned_on_in_the_file_or_the_environment()
    {
        Assert.False(Valid(MinimalCluster).WatchConfig);
        Assert.True(Valid("[server]\nwatch_config = true\n" + MinimalCluster).WatchConfig);
        Assert.False(Valid("[server]\nwatch_config = false\n" + MinimalCluster).WatchConfig);
        Assert.True(Valid(MinimalCluster, new() { ["FASTGATE_SERVER__WATCH_CONFIG"] = "true" }).WatchConfig);
    }
}
