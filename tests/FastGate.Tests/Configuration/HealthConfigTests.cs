using FastGate.Configuration;
using FastGate.Health;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

/// <summary><c>clusters.NAME.health</c>: inline or as a sub-table, defaults, and every bad value named by file, line and key.</summary>
public class HealthConfigTests
{
    private static string Cluster(string health) => $"[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nhealth = {health}\n";

    [Fact]
    public void An_empty_health_table_is_an_http_check_of_healthz_every_5s_with_envoy_like_thresholds()
    {
        var health = Valid(Cluster("{}")).Clusters["backend"].Health!;
        Assert.Equal(new HealthCheckPolicy(), health);
        Assert.Equal(("http", "/healthz", "GET", ""), (health.Type, health.Path, health.Method, health.Host));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)), (health.Interval, health.Jitter, health.Timeout));
        Assert.Equal((2, 3, "200-399", "", TimeSpan.Zero), (health.HealthyThreshold, health.UnhealthyThreshold, health.ExpectStatus, health.ExpectBody, health.SlowStart));
        Assert.Null(Valid(MinimalCluster).Clusters["backend"].Health);
    }

    [Fact]
    public void The_inline_table_and_the_sub_table_give_the_same_policy()
    {
        const string keys = """type = "http", path = "/ready", method = "HEAD", host = "api.internal", interval = "2s", jitter = "100ms", timeout = "500ms", healthy_threshold = 1, unhealthy_threshold = 5, expect_status = "204", expect_body = "", slow_start = "30s" """;
        var inline = Valid(Cluster("{ " + keys + " }")).Clusters["backend"].Health!;
        var table = Valid("[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\n[clusters.backend.health]\n" + keys.Replace(", ", "\n", StringComparison.Ordinal) + "\n")
            .Clusters["backend"].Health!;
        Assert.Equal(inline, table);
        Assert.Equal(("/ready", "HEAD", "api.internal", 204, 204), (table.Path, table.Method, table.Host, table.StatusMin, table.StatusMax));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30)),
            (table.Interval, table.Jitter, table.Timeout, table.SlowStart));
    }

    [Fact]
    public void A_tcp_check_and_a_short_interval_take_their_jitter_and_timeout_from_the_interval()
    {
        var tcp = Valid(Cluster("{ type = \"tcp\", interval = \"50ms\" }")).Clusters["backend"].Health!;
        Assert.Equal(("tcp", TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50)), (tcp.Type, tcp.Interval, tcp.Jitter, tcp.Timeout));
    }

    [Theory]
    [InlineData("{ type = \"grpc\" }", "clusters.backend.health.type", "unknown health check type \"grpc\" (expected \"http\", \"tcp\")")]
    [InlineData("{ type = \"tcp\", path = \"/x\" }", "clusters.backend.health.path", "applies to type = \"http\" only")]
    [InlineData("{ type = \"tcp\", expect_body = \"ok\" }", "clusters.backend.health.expect_body", "applies to type = \"http\" only")]
    [InlineData("{ path = \"healthz\" }", "clusters.backend.health.path", "is not a request path")]
    [InlineData("{ path = \"/a b\" }", "clusters.backend.health.path", "is not a request path")]
    [InlineData("{ method = \"GE T\" }", "clusters.backend.health.method", "is not a method")]
    [InlineData("{ host = \"a\\r\\nX: y\" }", "clusters.backend.health.host", "is not a valid Host")]
    [InlineData("{ interval = \"0s\" }", "clusters.backend.health.interval", "greater than zero")]
    [InlineData("{ interval = \"5ms\" }", "clusters.backend.health.interval", "at least 10ms")]
    [InlineData("{ interval = \"1s\", timeout = \"2s\" }", "clusters.backend.health.timeout", "longer than the interval")]
    [InlineData("{ jitter = \"often\" }", "clusters.backend.health.jitter", "bad duration")]
    [InlineData("{ healthy_threshold = 0 }", "clusters.backend.health.healthy_threshold", "out of range")]
    [InlineData("{ unhealthy_threshold = 101 }", "clusters.backend.health.unhealthy_threshold", "out of range")]
    [InlineData("{ expect_status = \"399-200\" }", "clusters.backend.health.expect_status", "bad status range")]
    [InlineData("{ expect_status = \"2xx\" }", "clusters.backend.health.expect_status", "bad status range")]
    [InlineData("{ expect_status = \"200-600\" }", "clusters.backend.health.expect_status", "bad status range")]
    [InlineData("{ expect_status = 200 }", "clusters.backend.health.expect_status", "expected a string")]
    [InlineData("{ slow_start = -1 }", "clusters.backend.health.slow_start", "bad duration")]
    [InlineData("{ intervall = \"1s\" }", "clusters.backend.health.intervall", "did you mean \"interval\"")]
    [InlineData("\"http\"", "clusters.backend.health", "expected a table")]
    public void Bad_health_settings_name_file_line_and_key(string health, string key, string message)
    {
        var error = SingleError(Cluster(health));
        Assert.Equal(("config.toml", 3, key), (error.File, error.Line, error.Key));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_bad_key_in_a_sub_table_names_its_own_line()
    {
        var error = SingleError("[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\n\n[clusters.backend.health]\ntype = \"http\"\nunhealthy_threshold = 0\n");
        Assert.Equal(("config.toml", 6, "clusters.backend.health.unhealthy_threshold"), (error.File, error.Line, error.Key));
    }

    [Fact]
    public void The_effective_config_shows_every_health_key_with_the_http_ones_null_for_tcp()
    {
        var http = EffectiveConfig.Describe(Valid(Cluster("{ path = \"/ready\", slow_start = \"30s\" }")))["clusters"]!["backend"]!["health"]!;
        Assert.Equal(HealthBinder.Keys.Order(), http.AsObject().Select(k => k.Key).Order());
        Assert.Equal("""{"type":"http","path":"/ready","method":"GET","host":"","interval":"5s","jitter":"500ms","timeout":"1s","healthy_threshold":2,"unhealthy_threshold":3,"expect_status":"200-399","expect_body":"","slow_start":"30s"}""",
            http.ToJsonString());
        var tcp = EffectiveConfig.Describe(Valid(Cluster("{ type = \"tcp\" }")))["clusters"]!["backend"]!["health"]!;
        Assert.Null(tcp["path"]);
        Assert.Null(tcp["expect_status"]);
        Assert.Null(EffectiveConfig.Describe(Valid(MinimalCluster))["clusters"]!["backend"]!["health"]);
    }
}
