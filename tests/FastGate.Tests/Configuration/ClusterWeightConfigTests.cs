using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class ClusterWeightConfigTests
{
    [Fact]
    public void Destinations_may_be_strings_or_tables_with_a_weight()
    {
        var cluster = Valid("""
            [clusters.api]
            destinations = ["127.0.0.1:9001", { address = "127.0.0.1:9002", weight = 3 }]
            balancer = "weighted_round_robin"
            """).Clusters["api"];
        Assert.Equal([("127.0.0.1:9001", 1), ("127.0.0.1:9002", 3)], cluster.Destinations.Select(d => (d.Address, d.Weight)));
        Assert.Equal("weighted_round_robin", cluster.BalancerName);
    }

    [Theory]
    [InlineData("{ address = \"127.0.0.1:9002\", weight = 0 }", "clusters.api.destinations.weight", "out of range")]
    [InlineData("{ address = \"127.0.0.1:9002\", weight = 1001 }", "clusters.api.destinations.weight", "out of range")]
    [InlineData("{ weight = 2 }", "clusters.api.destinations.address", "needs an address")]
    [InlineData("{ address = \"127.0.0.1:9002\", wieght = 2 }", "clusters.api.destinations", "unknown key \"wieght\"")]
    [InlineData("{ address = \"nowhere\" }", "clusters.api.destinations", "bad address")]
    [InlineData("{ address = \"127.0.0.1:9001\" }", "clusters.api.destinations", "duplicate destination")]
    [InlineData("7", "clusters.api.destinations", "an array item of type integer")]
    [InlineData("7, { address = \"127.0.0.1:9003\" }", "clusters.api.destinations", "expected \"host:port\"")]
    public void A_bad_destination_entry_names_its_line_and_key(string entry, string key, string message)
    {
        var error = SingleError($"""
            [clusters.api]
            destinations = ["127.0.0.1:9001",
              {entry}]
            """);
        Assert.StartsWith(key, error.Key);
        Assert.Contains(message, error.Message);
        Assert.Equal(3, error.Line);
    }
}
