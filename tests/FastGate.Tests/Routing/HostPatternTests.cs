using System.Text;
using FastGate.Routing;

namespace FastGate.Tests.Routing;

public class HostPatternTests
{
    private static bool Matches(string? pattern, string host) =>
        HostPattern.Parse(pattern).Matches(HostPattern.StripPort(Encoding.ASCII.GetBytes(host)));

    [Theory]
    [InlineData(null, "anything.test", true)]
    [InlineData(null, "", true)]
    [InlineData("*", "anything.test:81", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "EXAMPLE.Com", true)]
    [InlineData("Example.COM", "example.com", true)]
    [InlineData("example.com", "example.com:8080", true)]
    [InlineData("example.com", "example.com.", true)]
    [InlineData("example.com", "www.example.com", false)]
    [InlineData("example.com", "example.org", false)]
    [InlineData("example.com", "", false)]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com:443", true)]
    [InlineData("*.example.com", "A.EXAMPLE.COM", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.example.com", "aexample.com", false)]
    [InlineData("[::1]", "[::1]:8080", true)]
    [InlineData("[::1]", "[::1]", true)]
    [InlineData("localhost", "[::1]:8080", false)]
    [InlineData("127.0.0.1", "127.0.0.1:80", true)]
    public void Matches_host_kinds(string? pattern, string host, bool expected) => Assert.Equal(expected, Matches(pattern, host));

    [Theory]
    [InlineData("example.com:80")]
    [InlineData("")]
    [InlineData("a.*.com")]
    [InlineData("exa mple.com")]
    [InlineData("a..b")]
    public void Rejects_invalid_hosts(string pattern) => Assert.False(HostPattern.TryParse(pattern, out _, out _));

    [Theory]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("[::1]:8080", "::1")]
    [InlineData("[fe80::1]", "fe80::1")]
    [InlineData("10.0.0.1:1", "10.0.0.1")]
    public void StripPort_removes_port_and_brackets(string host, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(HostPattern.StripPort(Encoding.ASCII.GetBytes(host))));
}
