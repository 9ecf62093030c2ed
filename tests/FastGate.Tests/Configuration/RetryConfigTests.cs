using FastGate.Http;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class RetryConfigTests
{
    private static string Cluster(string retry) => $"[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nretry = {retry}\n";

    [Fact]
    public void An_empty_retry_table_means_three_attempts_on_failures_and_gateway_errors_for_idempotent_methods()
    {
        var retry = Valid(Cluster("{}")).Clusters["backend"].Retry!;
        Assert.Equal((3, true, true), (retry.Attempts, retry.OnConnectFailure, retry.OnReset));
        Assert.True(retry.RetriesStatus(502) && retry.RetriesStatus(503) && retry.RetriesStatus(504) && !retry.RetriesStatus(500));
        Assert.Equal(HttpMethodSet.Idempotent, retry.Methods);
        Assert.Equal((TimeSpan.FromMilliseconds(25), TimeSpan.FromSeconds(1), 20.0), (retry.Backoff, retry.MaxBackoff, retry.BudgetPercent));
        Assert.Null(Valid(MinimalCluster).Clusters["backend"].Retry);
    }

    [Fact]
    public void Conditions_methods_and_backoff_are_read()
    {
        var retry = Valid(Cluster("{ attempts = 5, on = [\"reset\", \"500\"], methods = [\"GET\", \"POST\"], backoff = \"10ms\", max_backoff = \"80ms\", budget_percent = 5 }"))
            .Clusters["backend"].Retry!;
        Assert.Equal((5, false, true), (retry.Attempts, retry.OnConnectFailure, retry.OnReset));
        Assert.True(retry.RetriesStatus(500) && !retry.RetriesStatus(503));
        Assert.True(retry.Methods.Contains(HttpMethod.Post) && !retry.Methods.Contains(HttpMethod.Put));
        for (var n = 1; n <= 6; n++) Assert.InRange(retry.Delay(n), TimeSpan.Zero, TimeSpan.FromMilliseconds(Math.Min(80, 10 << (n - 1))));
    }

    [Theory]
    [InlineData("{ attempts = 0 }", "clusters.backend.retry.attempts", "out of range")]
    [InlineData("{ attempts = 11 }", "clusters.backend.retry.attempts", "out of range")]
    [InlineData("{ on = [\"sometimes\"] }", "clusters.backend.retry.on", "unknown retry condition")]
    [InlineData("{ on = [\"404\"] }", "clusters.backend.retry.on", "unknown retry condition")]
    [InlineData("{ methods = [\"BREW\"] }", "clusters.backend.retry.methods", "invalid method")]
    [InlineData("{ backoff = \"1s\", max_backoff = \"10ms\" }", "clusters.backend.retry.max_backoff", "shorter than backoff")]
    [InlineData("{ budget_percent = 120 }", "clusters.backend.retry.budget_percent", "out of range")]
    [InlineData("{ tries = 2 }", "clusters.backend.retry", "unknown key \"tries\"")]
    [InlineData("3", "clusters.backend.retry", "expected a table")]
    public void Bad_retry_settings_name_line_and_key(string retry, string key, string message)
    {
        var error = SingleError(Cluster(retry));
        Assert.StartsWith(key, error.Key);
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
    }
}

public class BulkheadConfigTests
{
    [Fact]
    public void A_bulkhead_table_has_defaults_and_refuses_bad_limits()
    {
        var bulkhead = Valid("[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nbulkhead = { max_concurrent = 5 }\n").Clusters["backend"].Bulkhead!;
        Assert.Equal((5, 100, TimeSpan.FromSeconds(1)), (bulkhead.MaxConcurrent, bulkhead.MaxQueue, bulkhead.QueueTimeout));
        Assert.Equal("clusters.backend.bulkhead.max_concurrent",
            SingleError("[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nbulkhead = { max_concurrent = 0 }\n").Key);
        Assert.Contains("unknown key \"queue\"",
            SingleError("[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nbulkhead = { queue = 1 }\n").Message);
    }
}
