using FastGate.Resilience;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

/// <summary><c>clusters.NAME.outlier</c> and <c>clusters.NAME.circuit_breaker</c>: defaults, both TOML forms, and errors naming line and key.</summary>
public class PassiveHealthConfigTests
{
    private static string Cluster(string key, string value) => $"[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\n{key} = {value}\n";

    [Fact]
    public void Empty_tables_take_the_documented_defaults_and_a_cluster_without_them_has_neither()
    {
        Assert.Equal(OutlierPolicy.Default, Valid(Cluster("outlier", "{}")).Clusters["backend"].Outlier);
        Assert.Equal(new OutlierPolicy(5, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 50), OutlierPolicy.Default);
        Assert.Equal(CircuitBreakerPolicy.Default, Valid(Cluster("circuit_breaker", "{}")).Clusters["backend"].CircuitBreaker);
        Assert.Equal(new CircuitBreakerPolicy(50, TimeSpan.FromSeconds(10), 20, TimeSpan.FromSeconds(30), 3), CircuitBreakerPolicy.Default);
        var plain = Valid(MinimalCluster).Clusters["backend"];
        Assert.Null(plain.Outlier);
        Assert.Null(plain.CircuitBreaker);
    }

    [Fact]
    public void Sub_tables_work_as_inline_tables_do()
    {
        var cluster = Valid("""
            [clusters.backend]
            destinations = ["127.0.0.1:9001"]

            [clusters.backend.outlier]
            consecutive_failures = 2
            base_ejection = "100ms"
            max_ejection = "1s"
            max_ejection_percent = 100

            [clusters.backend.circuit_breaker]
            failure_rate = 12.5
            window = "2s"
            min_requests = 4
            open_duration = "500ms"
            half_open_requests = 1
            """).Clusters["backend"];
        Assert.Equal(new OutlierPolicy(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 100), cluster.Outlier);
        Assert.Equal(new CircuitBreakerPolicy(12.5, TimeSpan.FromSeconds(2), 4, TimeSpan.FromMilliseconds(500), 1), cluster.CircuitBreaker);
    }

    [Theory]
    [InlineData("outlier", "{ consecutive_failures = 0 }", "clusters.backend.outlier.consecutive_failures", "out of range")]
    [InlineData("outlier", "{ base_ejection = \"0s\" }", "clusters.backend.outlier.base_ejection", "greater than zero")]
    [InlineData("outlier", "{ base_ejection = \"soon\" }", "clusters.backend.outlier.base_ejection", "bad duration")]
    [InlineData("outlier", "{ base_ejection = \"1m\", max_ejection = \"30s\" }", "clusters.backend.outlier.max_ejection", "shorter than base_ejection")]
    [InlineData("outlier", "{ max_ejection_percent = 0 }", "clusters.backend.outlier.max_ejection_percent", "out of range")]
    [InlineData("outlier", "{ max_ejection_percent = 101 }", "clusters.backend.outlier.max_ejection_percent", "out of range")]
    [InlineData("outlier", "{ consecutive = 3 }", "clusters.backend.outlier.consecutive", "unknown key \"consecutive\"")]
    [InlineData("outlier", "true", "clusters.backend.outlier", "expected a table")]
    [InlineData("circuit_breaker", "{ failure_rate = 0 }", "clusters.backend.circuit_breaker.failure_rate", "above 0")]
    [InlineData("circuit_breaker", "{ failure_rate = 150 }", "clusters.backend.circuit_breaker.failure_rate", "out of range")]
    [InlineData("circuit_breaker", "{ failure_rate = \"half\" }", "clusters.backend.circuit_breaker.failure_rate", "a number")]
    [InlineData("circuit_breaker", "{ window = \"0s\" }", "clusters.backend.circuit_breaker.window", "greater than zero")]
    [InlineData("circuit_breaker", "{ min_requests = 0 }", "clusters.backend.circuit_breaker.min_requests", "out of range")]
    [InlineData("circuit_breaker", "{ open_duration = -1 }", "clusters.backend.circuit_breaker.open_duration", "bad duration")]
    [InlineData("circuit_breaker", "{ half_open_requests = 0 }", "clusters.backend.circuit_breaker.half_open_requests", "out of range")]
    [InlineData("circuit_breaker", "{ trials = 3 }", "clusters.backend.circuit_breaker.trials", "unknown key \"trials\"")]
    public void Bad_settings_name_line_and_key(string table, string value, string key, string message)
    {
        var error = SingleError(Cluster(table, value));
        Assert.Equal(key, error.Key);
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
    }
}
