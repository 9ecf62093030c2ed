using FastGate.Configuration;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class ConfigErrorTests
{
    private static void AssertError(string toml, int line, string key, string messagePart)
    {
        var error = SingleError(toml);
        Assert.Equal("config.toml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(key, error.Key);
        Assert.Contains(messagePart, error.Message);
        Assert.Null(error.EnvVariable);
        Assert.StartsWith($"config.toml:{line}: {key}: ", error.ToString());
    }

    [Fact]
    public void Unknown_balancer_uses_the_documented_format()
    {
        var error = SingleError("""
            [clusters.backend]
            destinations = ["127.0.0.1:9001"]
            balancer = "foo"
            """);
        Assert.Equal("config.toml:3: clusters.backend.balancer: unknown balancer \"foo\" (expected round_robin, least_connections, weighted_round_robin, ip_hash, random, peak_ewma)", error.ToString());
    }

    [Fact]
    public void Unknown_section_suggests_the_closest() =>
        AssertError("[server]\n\n[limit]\nmax_header_count = 5\n", 3, "limit", "unknown section \"limit\" (did you mean \"limits\"?)");

    [Fact]
    public void Unknown_key_suggests_the_closest() =>
        AssertError(MinimalCluster + "\nbalancr = \"round_robin\"\n", 3, "clusters.backend.balancr", "unknown key \"balancr\" (did you mean \"balancer\"?)");

    [Fact]
    public void Unknown_key_far_from_any_has_no_suggestion()
    {
        var error = SingleError("[limits]\nzzzzzz = 1");
        Assert.Equal("unknown key \"zzzzzz\"", error.Message);
    }

    [Fact]
    public void Wrong_type() =>
        AssertError("[limits]\nmax_header_count = \"many\"\n", 2, "limits.max_header_count", "expected an integer, got string");

    [Fact]
    public void Wrong_type_in_array_item_points_at_the_item_line() =>
        AssertError("[server]\nlisten = [\n  \"127.0.0.1:1\",\n  42,\n]\n", 4, "server.listen", "expected an array of strings, got an array item of type integer");

    [Fact]
    public void Section_that_is_not_a_table() =>
        AssertError("limits = 5\n", 1, "limits", "expected a table, got integer");

    [Theory]
    [InlineData("127.0.0.1", "missing \":port\"")]
    [InlineData("127.0.0.1:99999", "bad port")]
    [InlineData("example.com:80", "expected an IP address, localhost or *")]
    [InlineData("::1:80", "IPv6 addresses must be written in brackets")]
    [InlineData("[::1:80", "expected \"[ipv6]:port\"")]
    public void Bad_listen_address(string address, string reason) =>
        AssertError($"[server]\nlisten = [\"{address}\"]\n", 2, "server.listen", $"bad address \"{address}\": {reason}");

    [Theory]
    [InlineData("127.0.0.1:0", "port must be 1-65535")]
    [InlineData("127.0.0.1", "missing \":port\"")]
    [InlineData("0.0.0.0:80", "cannot connect to the unspecified address")]
    [InlineData("no-such-host.invalid:80", "cannot resolve")]
    public void Bad_destination_address(string address, string reason) =>
        AssertError($"[clusters.b]\ndestinations = [\"{address}\"]\n", 2, "clusters.b.destinations", $"bad address \"{address}\": {reason}");

    [Fact]
    public void Empty_and_duplicate_listen()
    {
        AssertError("[server]\nlisten = []\n", 2, "server.listen", "at least one listen address is required");
        AssertError("[server]\nlisten = [\"127.0.0.1:80\",\n \"localhost:80\"]\n", 3, "server.listen", "duplicate listen address \"localhost:80\"");
    }

    [Fact]
    public void Empty_method_list() =>
        AssertError(MinimalCluster + "\n[routes.r]\ncluster = \"backend\"\npath = \"/\"\nmethods = []\n", 6, "routes.r.methods", "empty method list");

    [Fact]
    public void Duplicate_destination() =>
        AssertError("[clusters.b]\ndestinations = [\"127.0.0.1:1\", \"127.0.0.1:1\"]\n", 2, "clusters.b.destinations", "duplicate destination \"127.0.0.1:1\"");

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("ten")]
    public void Bad_cidr(string cidr) =>
        AssertError($"[server]\ntrusted_proxies = [\"{cidr}\"]\n", 2, "server.trusted_proxies", $"bad CIDR \"{cidr}\"");

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("\"10\"")]
    [InlineData("\"10x\"")]
    [InlineData("\"s\"")]
    [InlineData("\"100d\"")]
    public void Bad_duration(string value) =>
        AssertError($"[limits]\n\nheader_timeout = {value}\n", 3, "limits.header_timeout", $"bad duration {value}");

    [Fact]
    public void Zero_timeout_is_rejected() =>
        AssertError("[limits]\nheader_timeout = \"0s\"\n", 2, "limits.header_timeout", "must be greater than zero");

    [Theory]
    [InlineData("\"8XB\"")]
    [InlineData("\"KiB\"")]
    [InlineData("\"8 K\"")]
    public void Bad_size(string value) =>
        AssertError($"[limits]\nmax_header_bytes = {value}\n", 2, "limits.max_header_bytes", $"bad size {value}");

    [Fact]
    public void Size_out_of_range() =>
        AssertError("[limits]\nmax_request_line = \"4GiB\"\n", 2, "limits.max_request_line", "out of range");

    [Fact]
    public void Integer_out_of_range() =>
        AssertError(MinimalCluster + "\nmax_connections = 0\n", 3, "clusters.backend.max_connections", "0 is out of range (1-1000000)");

    [Fact]
    public void Negative_idle_connection_cap() =>
        AssertError(MinimalCluster + "\nmax_idle_connections = -1\n", 3, "clusters.backend.max_idle_connections", "-1 is out of range (0-65535)");

    [Fact]
    public void Route_to_missing_cluster() =>
        AssertError(MinimalCluster + "\n[routes.r]\ncluster = \"backnd\"\npath = \"/\"\n", 4, "routes.r.cluster", "unknown cluster \"backnd\" (did you mean \"backend\"?)");

    [Fact]
    public void Cluster_with_empty_destinations() =>
        AssertError("[clusters.empty]\n\ndestinations = []\n", 3, "clusters.empty.destinations", "cluster has no destinations");

    [Fact]
    public void Cluster_without_destinations_key_points_at_the_table() =>
        AssertError("\n[clusters.empty]\nbalancer = \"round_robin\"\n", 2, "clusters.empty.destinations", "cluster has no destinations");

    [Fact]
    public void Route_missing_required_keys()
    {
        var result = Load(MinimalCluster + "\n[routes.r]\nhost = \"a.test\"\n");
        Assert.Equal(
            ["config.toml:3: routes.r.cluster: required key is missing", "config.toml:3: routes.r.path: required key is missing"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Duplicate_route_is_reported_on_the_later_one() =>
        AssertError(MinimalCluster + """

            [routes.first]
            cluster = "backend"
            path = "/users/{id}"

            [routes.second]
            cluster = "backend"
            path = "/users/{name}"
            """, 7, "routes.second", "duplicate route: same host, path and methods as route \"first\"");

    [Theory]
    [InlineData("/api/{**rest}/x", "catch-all \"{**rest}\" must be the last segment")]
    [InlineData("/a/{}", "empty parameter name")]
    [InlineData("api/x", "must start with \"/\"")]
    public void Invalid_path_pattern(string path, string reason) =>
        AssertError(MinimalCluster + $"\n[routes.r]\ncluster = \"backend\"\npath = \"{path}\"\n", 5, "routes.r.path", $"invalid path pattern \"{path}\": {reason}");

    [Fact]
    public void Invalid_host_pattern() =>
        AssertError(MinimalCluster + "\n[routes.r]\ncluster = \"backend\"\npath = \"/\"\nhost = \"a.test:80\"\n", 6, "routes.r.host", "invalid host pattern \"a.test:80\"");

    [Theory]
    [InlineData("FETCH")]
    [InlineData("get")]
    public void Invalid_method(string method) =>
        AssertError(MinimalCluster + $"\n[routes.r]\ncluster = \"backend\"\npath = \"/\"\nmethods = [\"GET\", \"{method}\"]\n", 6, "routes.r.methods",
            $"invalid method \"{method}\" (expected GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT)");

    [Fact]
    public void Invalid_prefix_and_host_header()
    {
        var result = Load(MinimalCluster + "\n[routes.r]\ncluster = \"backend\"\npath = \"/\"\nstrip_prefix = \"api\"\nadd_prefix = \"/v 1\"\nhost_header = \"\"\n");
        Assert.Equal(
        [
            "config.toml:6: routes.r.strip_prefix: invalid prefix \"api\" (must start with \"/\", no query, spaces or non-ASCII)",
            "config.toml:7: routes.r.add_prefix: invalid prefix \"/v 1\" (must start with \"/\", no query, spaces or non-ASCII)",
            "config.toml:8: routes.r.host_header: invalid host_header \"\" (expected \"keep\", \"destination\" or a host name)",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Toml_syntax_error_has_its_line()
    {
        var error = SingleError("[server]\nlisten = [\"127.0.0.1:8080\"]\ndrain_timeout = \n");
        Assert.Equal(3, error.Line);
        Assert.Equal("", error.Key);
        Assert.StartsWith("config.toml:3: ", error.ToString());
    }

    [Fact]
    public void Toml_syntax_errors_still_report_bad_override_names()
    {
        var result = Load("[server\n", new() { ["FASTGATE_SERVR__LISTEN"] = "x", ["FASTGATE_SERVER__LISTEN"] = "fine-later" });
        Assert.Null(result.Snapshot);
        Assert.Equal(1, result.Errors[0].Line);
        Assert.Equal("env FASTGATE_SERVR__LISTEN: unknown section \"servr\" (did you mean \"server\"?)", result.Errors[^1].ToString());
    }

    [Fact]
    public void Toml_duplicate_key_is_reported()
    {
        var error = SingleError("[limits]\nmax_header_count = 1\nmax_header_count = 2\n");
        Assert.Equal(3, error.Line);
        Assert.Contains("already defined", error.Message);
        Assert.DoesNotContain("max_header_count = 1", error.Message);
    }

    [Fact]
    public void Table_arrays_are_rejected() =>
        AssertError("[[routes]]\npath = \"/\"\n", 1, "routes", "arrays of tables");

    [Fact]
    public void Several_errors_are_reported_at_once_in_line_order()
    {
        var result = Load("""
            [routes.r]
            cluster = "nope"
            path = "/x/{**a}/b"
            methods = ["BREW"]

            [server]
            listen = ["nowhere"]
            drain_timeout = "later"
            trusted_proxies = ["300.0.0.0/8"]
            colour = "blue"

            [limits]
            max_header_bytes = "lots"

            [clusters.b]
            balancer = "fastest"
            destinations = []
            """);
        Assert.Null(result.Snapshot);
        Assert.False(result.Success);
        Assert.Equal(
        [
            "config.toml:2: routes.r.cluster: unknown cluster \"nope\"",
            "config.toml:3: routes.r.path: invalid path pattern \"/x/{**a}/b\": catch-all \"{**a}\" must be the last segment",
            "config.toml:4: routes.r.methods: invalid method \"BREW\" (expected GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT)",
            "config.toml:7: server.listen: bad address \"nowhere\": missing \":port\"",
            "config.toml:8: server.drain_timeout: bad duration \"later\"",
            "config.toml:9: server.trusted_proxies: bad CIDR \"300.0.0.0/8\"",
            "config.toml:10: server.colour: unknown key \"colour\"",
            "config.toml:13: limits.max_header_bytes: bad size \"lots\"",
            "config.toml:16: clusters.b.balancer: unknown balancer \"fastest\" (expected round_robin, least_connections, weighted_round_robin, ip_hash, random, peak_ewma)",
            "config.toml:17: clusters.b.destinations: cluster has no destinations",
        ], result.Errors.Select(e => TrimDetail(e.ToString())));
    }

    // Drops a trailing " (use e.g. ...)" hint so the expectations stay readable.
    private static string TrimDetail(string s)
    {
        var i = s.IndexOf(" (use e.g.", StringComparison.Ordinal);
        if (i < 0) i = s.IndexOf(" (expected an IP or", StringComparison.Ordinal);
        return i < 0 ? s : s[..i];
    }

    [Fact]
    public void Unknown_transport_names_the_choices() =>
        AssertError("[server]\ntransport = \"kqueue\"\n", 2, "server.transport", "unknown transport \"kqueue\" (expected \"epoll\", \"io_uring\" or \"sockets\")");

    [Fact]
    public void Watch_config_must_be_a_boolean() =>
        AssertError("[server]\nwatch_config = \"yes\"\n", 2, "server.watch_config", "expected a boolean (true or false), got string");
}
