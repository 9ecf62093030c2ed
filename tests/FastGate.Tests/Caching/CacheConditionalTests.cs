using FastGate.Tests.Integration;

namespace FastGate.Tests.Caching;

/// <summary>A client's conditional GET or HEAD answered 304 from a fresh entry (RFC 9110 §13.1, §15.4.5), over real sockets.</summary>
public class CacheConditionalTests
{
    private const string Stored = "Cache-Control: max-age=600\r\nETag: W/\"v1\"\r\nLast-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n"
        + "Content-Type: text/plain\r\nVary: Accept-Encoding\r\nExpires: Fri, 01 Jan 2100 00:00:00 GMT\r\nDate: Tue, 01 Dec 2026 10:00:00 GMT\r\n";

    private static async Task<(HttpResponse Response, int Upstream)> ConditionalAsync(string conditional, string method = "GET", string stored = Stored)
    {
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok("payload", stored));
        Assert.Equal("MISS", (await fixture.SendAsync("/doc")).Header("X-Cache"));
        var response = await fixture.SendAsync("/doc", conditional, method);
        return (response, fixture.UpstreamRequests);
    }

    [Theory]
    [InlineData("If-None-Match: \"v1\"\r\n")] // weak comparison: W/"v1" matches "v1"
    [InlineData("If-None-Match: W/\"v1\"\r\n")]
    [InlineData("If-None-Match: \"other\", W/\"v1\"\r\n")]
    [InlineData("If-None-Match: \"a,b\"\r\nIf-None-Match: \"v1\"\r\n")] // a comma inside a tag; a second field
    [InlineData("If-None-Match: *\r\n")]
    [InlineData("If-Modified-Since: Tue, 01 Dec 2026 10:00:00 GMT\r\n")]
    [InlineData("If-Modified-Since: Wed, 02 Dec 2026 10:00:00 GMT\r\n")]
    public async Task AMatchingConditionalGetsA304WithTheCacheFields(string conditional)
    {
        var (response, upstream) = await ConditionalAsync(conditional);
        Assert.Equal(304, response.Status);
        Assert.Equal("", response.Body);
        Assert.Equal("HIT", response.Header("X-Cache"));
        string?[] kept = ["ETag", "Cache-Control", "Vary", "Expires", "Date", "Last-Modified"];
        Assert.Equal(["W/\"v1\"", "max-age=600", "Accept-Encoding", "Fri, 01 Jan 2100 00:00:00 GMT", "Tue, 01 Dec 2026 10:00:00 GMT",
            "Tue, 01 Dec 2026 10:00:00 GMT"], kept.Select(name => response.Header(name!)));
        Assert.NotNull(response.Header("Age"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Null(response.Header("Content-Type"));
        Assert.Equal(1, upstream);
    }

    [Theory]
    [InlineData("If-None-Match: \"v2\"\r\n")]
    [InlineData("If-None-Match: \"v2\"\r\nIf-Modified-Since: Wed, 02 Dec 2026 10:00:00 GMT\r\n")] // If-Modified-Since ignored beside If-None-Match
    [InlineData("If-Modified-Since: Mon, 30 Nov 2026 10:00:00 GMT\r\n")] // modified since
    [InlineData("If-Modified-Since: yesterday\r\n")] // not a date: ignored
    public async Task ANonMatchingConditionalGetsTheStoredResponse(string conditional)
    {
        var (response, upstream) = await ConditionalAsync(conditional);
        Assert.Equal((200, "payload", "HIT"), (response.Status, response.Body, response.Header("X-Cache")));
        Assert.Equal("7", response.Header("Content-Length"));
        Assert.Equal(1, upstream);
    }

    [Fact]
    public async Task AConditionalHeadGetsA304()
    {
        var (response, _) = await ConditionalAsync("If-None-Match: W/\"v1\"\r\n", "HEAD");
        Assert.Equal(304, response.Status);
        Assert.Null(response.Header("Content-Length"));
    }

    [Fact]
    public async Task IfModifiedSinceWithoutAStoredLastModifiedIsNotEvaluated()
    {
        var (response, _) = await ConditionalAsync("If-Modified-Since: Wed, 02 Dec 2026 10:00:00 GMT\r\n", stored: "Cache-Control: max-age=600\r\n");
        Assert.Equal((200, "payload"), (response.Status, response.Body));
    }

    [Fact]
    public async Task AStored404IsSentAsItIs()
    {
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok("gone", "Cache-Control: max-age=600\r\nETag: \"x\"\r\n", 404, "Not Found"));
        await fixture.SendAsync("/missing");
        var response = await fixture.SendAsync("/missing", "If-None-Match: \"x\"\r\n");
        Assert.Equal((404, "gone", "HIT"), (response.Status, response.Body, response.Header("X-Cache")));
    }
}
