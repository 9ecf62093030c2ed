using System.Text;
using FastGate.Caching;

namespace FastGate.Tests.Caching;

/// <summary>What a purge request accepts, and which stored keys it matches: URL (host, path, query), prefix, glob, tag.</summary>
public sealed class PurgeFilterTests
{
    private static bool Matches(PurgeKind kind, string value, string key, params string[] tags)
    {
        var request = PurgeRequest.Parse(kind, value, out var error);
        Assert.Null(error);
        return new PurgeFilter(request!, new Dictionary<string, RouteCache>()).Matches(Encoding.UTF8.GetBytes(key), tags);
    }

    [Theory]
    [InlineData("/a/b", "api\nexample.com\n/a/b\n", true)]
    [InlineData("/a/b", "api\nexample.com\n/a/b\naccept-language:en\nvary\nx:1\n", true)]
    [InlineData("/a/b", "api\nexample.com\n/a/b?x=1\n", false)]
    [InlineData("/a/b?x=1", "api\nexample.com\n/a/b?x=1\n", true)]
    [InlineData("/a/b?x=1", "api\nexample.com\n/a/b?x=2\n", false)]
    [InlineData("/a", "api\nexample.com\n/a/b\n", false)]
    [InlineData("https://EXAMPLE.com/a/b", "api\nexample.com\n/a/b\n", true)]
    [InlineData("http://other.com/a/b", "api\nexample.com\n/a/b\n", false)]
    [InlineData("http://example.com", "api\nexample.com\n/\n", true)]
    [InlineData("http://example.com?q", "api\nexample.com\n/?q\n", true)]
    public void A_url_matches_its_path_and_query_on_any_or_its_host(string url, string key, bool expected) =>
        Assert.Equal(expected, Matches(PurgeKind.Url, url, key));

    [Theory]
    [InlineData(PurgeKind.Prefix, "/a/", "api\nh\n/a/b/c?x=1\n", true)]
    [InlineData(PurgeKind.Prefix, "/a/", "api\nh\n/ab\n", false)]
    [InlineData(PurgeKind.Prefix, "/a?x=1", "api\nh\n/a/b\n", true)]
    [InlineData(PurgeKind.Glob, "/img/*.png", "api\nh\n/img/x/y.png?v=2\n", true)]
    [InlineData(PurgeKind.Glob, "/img/*.png", "api\nh\n/img/x/y.jpg\n", false)]
    [InlineData(PurgeKind.Glob, "*", "api\nh\n/anything\n", true)]
    [InlineData(PurgeKind.Glob, "/a*b*c", "api\nh\n/aXbYbZc\n", true)]
    [InlineData(PurgeKind.Glob, "/a*b*c", "api\nh\n/aXbYcZ\n", false)]
    public void A_prefix_or_glob_matches_the_path_alone(PurgeKind kind, string value, string key, bool expected) =>
        Assert.Equal(expected, Matches(kind, value, key));

    [Fact]
    public void A_tag_matches_the_entrys_tags()
    {
        Assert.True(Matches(PurgeKind.Tag, "product-7", "api\nh\n/x\n", "catalog", "product-7"));
        Assert.False(Matches(PurgeKind.Tag, "product-7", "api\nh\n/x\n", "product-70"));
    }

    [Theory]
    [InlineData(PurgeKind.Url, "", "non-empty")]
    [InlineData(PurgeKind.Url, "a/b", "neither a path")]
    [InlineData(PurgeKind.Url, "http:///a", "has no host")]
    [InlineData(PurgeKind.Prefix, "/a\nb", "non-empty line")]
    [InlineData(PurgeKind.Tag, "a b", "no spaces or commas")]
    public void Bad_purges_say_why(PurgeKind kind, string value, string message)
    {
        Assert.Null(PurgeRequest.Parse(kind, value, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_purge_survives_the_message_round_trip()
    {
        var request = PurgeRequest.Parse(PurgeKind.Glob, "/a b/*", out _)!;
        Assert.Equal(request, PurgeRequest.FromMessage(request.Message), new PurgeComparer());
        Assert.Null(PurgeRequest.FromMessage("drop /x"));
    }

    private sealed class PurgeComparer : IEqualityComparer<PurgeRequest?>
    {
        public bool Equals(PurgeRequest? x, PurgeRequest? y) =>
            x is not null && y is not null && x.Kind == y.Kind && x.Value == y.Value && x.Path.AsSpan().SequenceEqual(y.Path);

        public int GetHashCode(PurgeRequest? obj) => 0;
    }
}
