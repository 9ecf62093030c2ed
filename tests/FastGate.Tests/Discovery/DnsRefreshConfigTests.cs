using FastGate.Upstreams;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Discovery;

/// <summary><c>clusters.NAME.dns_refresh</c> as config.toml and the environment give it.</summary>
public class DnsRefreshConfigTests
{
    private static string Backend(string keys) => $"""
        [clusters.backend]
        destinations = ["localhost:9001", "127.0.0.1:9002"]
        {keys}
        """;

    [Fact]
    public void The_default_is_30s_and_0_turns_it_off()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Valid(Backend("")).Clusters["backend"].DnsRefresh);
        Assert.Equal(TimeSpan.FromSeconds(30), Cluster.DefaultDnsRefresh);
        Assert.Equal(TimeSpan.Zero, Valid(Backend("dns_refresh = \"0s\"")).Clusters["backend"].DnsRefresh);
        Assert.Equal(TimeSpan.FromMinutes(2), Valid(Backend("dns_refresh = 120")).Clusters["backend"].DnsRefresh);
        Assert.Equal(TimeSpan.FromSeconds(5), Valid(Backend(""), new() { ["FASTGATE_CLUSTERS__BACKEND__DNS_REFRESH"] = "5s" }).Clusters["backend"].DnsRefresh);
    }

    [Fact]
    public void A_host_name_and_an_ip_literal_are_told_apart()
    {
        var destinations = Valid(Backend("")).Clusters["backend"].Destinations;
        Assert.Equal(("localhost", "127.0.0.1:9001"), (destinations[0].HostName, destinations[0].Name));
        Assert.Equal((null, "127.0.0.1:9002"), (destinations[1].HostName, destinations[1].Name));
    }

    [Theory]
    [InlineData("dns_refresh = \"10ms\"", "must be 0 (off) or at least 1s")]
    [InlineData("dns_refresh = \"soon\"", "dns_refresh")]
    [InlineData("dns_refresh = true", "expected a duration")]
    public void A_bad_value_names_file_line_and_key(string line, string message)
    {
        var error = SingleError(Backend(line));
        Assert.Equal(("config.toml", 3, "clusters.backend.dns_refresh"), (error.File, error.Line, error.Key));
        Assert.Contains(message, error.ToString());
    }
}
