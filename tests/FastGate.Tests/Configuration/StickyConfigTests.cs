using FastGate.Balancing;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class StickyConfigTests
{
    private static string Cluster(string sticky) => $"[clusters.backend]\ndestinations = [\"127.0.0.1:9001\"]\nsticky = {sticky}\n";

    [Fact]
    public void Cookie_mode_defaults_to_fg_route_and_redistribution()
    {
        var affinity = Valid(Cluster("{ mode = \"cookie\" }")).Clusters["backend"].Affinity!;
        Assert.Equal((AffinityMode.Cookie, "fg_route", AffinityFailure.Redistribute), (affinity.Mode, affinity.Name, affinity.OnFailure));
        Assert.Null(Valid(MinimalCluster).Clusters["backend"].Affinity);
    }

    [Fact]
    public void Header_mode_reads_the_named_header()
    {
        var affinity = Valid(Cluster("{ mode = \"header\", header = \"X-Session\", on_failure = \"error\" }")).Clusters["backend"].Affinity!;
        Assert.Equal((AffinityMode.Header, "X-Session", AffinityFailure.Error), (affinity.Mode, affinity.Name, affinity.OnFailure));
    }

    [Theory]
    [InlineData("{ mode = \"ip\" }", "clusters.backend.sticky.mode", "unknown mode")]
    [InlineData("{ mode = \"header\" }", "clusters.backend.sticky.header", "needs the header")]
    [InlineData("{ mode = \"cookie\", header = \"X-S\" }", "clusters.backend.sticky.header", "does not apply")]
    [InlineData("{ mode = \"cookie\", cookie = \"a b\" }", "clusters.backend.sticky.cookie", "not a valid cookie name")]
    [InlineData("{ on_failure = \"retry\" }", "clusters.backend.sticky.on_failure", "unknown on_failure")]
    [InlineData("{ secret = \"short\" }", "clusters.backend.sticky.secret", "at least 16")]
    [InlineData("{ mode = \"header\", header = \"X-S\", secret = \"0123456789abcdefgh\" }", "clusters.backend.sticky.secret", "cookie\" only")]
    [InlineData("{ mod = \"cookie\" }", "clusters.backend.sticky", "unknown key \"mod\"")]
    [InlineData("\"cookie\"", "clusters.backend.sticky", "expected a table")]
    public void Bad_sticky_settings_name_line_and_key(string sticky, string key, string message)
    {
        var error = SingleError(Cluster(sticky));
        Assert.StartsWith(key, error.Key);
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Cookie_values_are_found_among_other_cookies()
    {
        Assert.Equal("v1", System.Text.Encoding.ASCII.GetString(SessionAffinity.CookieValue("a=1; fg_route=v1; b=2"u8, "fg_route"u8)));
        Assert.Equal("v2", System.Text.Encoding.ASCII.GetString(SessionAffinity.CookieValue("fg_route=v2"u8, "fg_route"u8)));
        Assert.True(SessionAffinity.CookieValue("xfg_route=v; fg_routex=w"u8, "fg_route"u8).IsEmpty);
        Assert.True(SessionAffinity.CookieValue(""u8, "fg_route"u8).IsEmpty);
    }
}
