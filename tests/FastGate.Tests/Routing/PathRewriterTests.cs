using System.Text;
using FastGate.Routing;
using static FastGate.Tests.Routing.TestRoutes;

namespace FastGate.Tests.Routing;

public class PathRewriterTests
{
    [Theory]
    [InlineData("", "", "/api/x", "/api/x")]
    [InlineData("/api", "", "/api/x", "/x")]
    [InlineData("/api", "", "/api", "/")]
    [InlineData("/api", "", "/api/", "/")]
    [InlineData("/api", "", "/apix", "/apix")]
    [InlineData("/api", "", "/other", "/other")]
    [InlineData("/api/", "", "/api/x", "/x")]
    [InlineData("/api", "/v1", "/api/x/y", "/v1/x/y")]
    [InlineData("/api", "/v1", "/api", "/v1")]
    [InlineData("/api", "/v1/", "/api/x", "/v1/x")]
    [InlineData("", "/v1", "/x", "/v1/x")]
    [InlineData("", "/v1", "/", "/v1/")]
    [InlineData("/api/", "/v1", "/api/x", "/v1/x")]
    public void Rewrites_paths(string strip, string add, string path, string expected)
    {
        var route = Route("r", "/{**rest}", strip: strip, add: add);
        var input = Encoding.ASCII.GetBytes(path);
        var buffer = new byte[PathRewriter.MaxLength(route, input.Length)];
        var written = PathRewriter.Rewrite(route, input, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, written));
        Assert.Equal(strip.Length > 0 || add.Length > 0, PathRewriter.Rewrites(route));
    }

    [Fact]
    public void Rewrite_allocates_nothing()
    {
        var route = Route("r", "/{**rest}", strip: "/api", add: "/v1");
        var input = Encoding.ASCII.GetBytes("/api/users/42");
        var buffer = new byte[64];
        PathRewriter.Rewrite(route, input, buffer);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var n = 0;
        for (var i = 0; i < 1000; i++) n = PathRewriter.Rewrite(route, input, buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("/v1/users/42", Encoding.ASCII.GetString(buffer, 0, n));
    }
}
