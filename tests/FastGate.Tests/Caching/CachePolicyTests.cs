using System.Buffers;
using System.Text;
using FastGate.Caching;
using FastGate.Http;

namespace FastGate.Tests.Caching;

/// <summary>The directive readers, the storage policy and the chunk stripper, on their own.</summary>
public class CachePolicyTests
{
    private static ResponseHead Response(string head)
    {
        var parsed = new ResponseHead();
        var status = new Http1ResponseParser().TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(head + "\r\n")), parsed, HttpMethod.Get, 64 * 1024, out _);
        Assert.Equal(ParseStatus.Complete, status);
        return parsed;
    }

    private static RequestHead Request(string fields)
    {
        var head = new RequestHead();
        Assert.Equal(ParseStatus.Complete, new Http1RequestParser().TryParse(
            new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n")), head, HttpLimits.Default, out _, out _));
        return head;
    }

    [Fact]
    public void Response_directives_are_read_across_fields_with_quotes_and_case()
    {
        var d = ResponseDirectives.Of(Response(
            "HTTP/1.1 200 OK\r\nCache-Control: Public, max-age=\"30\", no-cache=\"Set-Cookie, X-A\"\r\ncache-control: S-MAXAGE=90, s-maxage=60\r\nAge: 7\r\nVary: Accept, Accept-Language\r\n"),
            DateTimeOffset.UtcNow);
        Assert.True(d.Public && d.NoCache);
        Assert.False(d.Private || d.NoStore || d.VaryAll);
        Assert.Equal((30L, 60L, 60L, 7L, 2), (d.MaxAge, d.SMaxAge, d.ExplicitLifetime, d.Age, d.VaryFields));
    }

    [Fact]
    public void Expires_counts_from_Date_and_an_invalid_one_is_already_stale()
    {
        var d = ResponseDirectives.Of(Response("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nExpires: Sun, 06 Nov 1994 08:59:37 GMT\r\n"), DateTimeOffset.UtcNow);
        Assert.Equal(600, d.ExplicitLifetime);
        Assert.Equal(0, ResponseDirectives.Of(Response("HTTP/1.1 200 OK\r\nExpires: 0\r\n"), DateTimeOffset.UtcNow).ExplicitLifetime);
        Assert.Equal(-1, ResponseDirectives.Of(Response("HTTP/1.1 200 OK\r\n"), DateTimeOffset.UtcNow).ExplicitLifetime);
        Assert.Equal(784111777, HttpDate.Parse("Sun, 06 Nov 1994 08:49:37 GMT"u8));
        Assert.Equal(-1, HttpDate.Parse("Sunday, 06-Nov-94 08:49:37 GMT"u8));
    }

    [Fact]
    public void Request_directives()
    {
        var d = RequestDirectives.Of(Request("Cache-Control: max-age=20, max-age=10\r\nAuthorization: Basic eDp5\r\nPragma: no-cache\r\n"));
        Assert.Equal((10L, true, false, false), (d.MaxAge, d.HasAuthorization, d.NoCache, d.NoStore)); // Pragma counts only without Cache-Control
        Assert.True(RequestDirectives.Of(Request("Pragma: no-cache\r\n")).NoCache);
        Assert.True(RequestDirectives.Of(Request("cache-control: NO-STORE\r\n")).NoStore);
        Assert.True(RequestDirectives.Of(Request("Cache-Control: max-age=0\r\n")).NoCache);
    }

    [Theory]
    [InlineData(200, "", 0, -1L)]            // no freshness, no default
    [InlineData(200, "", 60, 60L)]           // heuristic status: default_ttl
    [InlineData(500, "", 60, -1L)]           // not heuristic
    [InlineData(500, "public", 60, 60L)]     // public allows the default
    [InlineData(200, "max-age=7200", 0, 3600L)] // capped by max_ttl
    [InlineData(206, "max-age=60", 0, -1L)]
    [InlineData(304, "max-age=60", 0, -1L)]
    public void Lifetimes(int status, string cacheControl, int defaultTtl, long expected)
    {
        var head = cacheControl.Length > 0 ? $"Cache-Control: {cacheControl}\r\n" : "";
        var d = ResponseDirectives.Of(Response($"HTTP/1.1 {status} X\r\n{head}"), DateTimeOffset.UtcNow);
        var options = new RouteCacheOptions { DefaultTtl = TimeSpan.FromSeconds(defaultTtl), MaxTtl = TimeSpan.FromHours(1) };
        Assert.Equal(expected, StoragePolicy.Lifetime(d, status, requestHadAuthorization: false, options));
    }

    [Fact]
    public void The_chunk_stripper_gives_the_data_however_the_bytes_are_split()
    {
        var framed = Encoding.ASCII.GetBytes("5\r\nhello\r\nA;x=1\r\n, world!!!\r\n0\r\nX-T: 1\r\n\r\n");
        for (var cut = 1; cut < framed.Length; cut++)
        {
            var state = new CacheExchange { Filling = true, Chunked = true, MaxBody = 100, Body = new byte[4] };
            state.Chunks.Reset();
            state.Chunks.Feed(framed.AsSpan(0, cut), state);
            Assert.False(state.Chunks.Done);
            state.Chunks.Feed(framed.AsSpan(cut), state);
            Assert.True(state.Chunks.Done, $"cut at {cut}");
            Assert.Equal("hello, world!!!", Encoding.ASCII.GetString(state.Body, 0, state.BodyLength));
        }
        var bad = new CacheExchange { Filling = true, Chunked = true, MaxBody = 100, Body = new byte[4] };
        bad.Chunks.Reset();
        bad.Chunks.Feed("zz\r\n"u8, bad);
        Assert.True(bad.Chunks.Invalid);
    }

    [Theory]
    [InlineData("\"a\"", "\"a\"", true)]
    [InlineData("W/\"a\"", "\"a\"", true)]
    [InlineData("\"a\"", "W/\"a\"", true)]
    [InlineData(" \"x\" , \"a\" ", "\"a\"", true)]
    [InlineData("\"a,b\"", "\"a,b\"", true)]
    [InlineData("\"a,b\"", "\"a\"", false)]
    [InlineData("*", "\"a\"", true)]
    [InlineData("\"A\"", "\"a\"", false)] // opaque tags compare by octets
    [InlineData("a", "a", false)] // unquoted: not an entity-tag
    [InlineData("\"a", "\"a\"", false)]
    [InlineData("\"a\"", "a", false)] // a malformed stored tag matches nothing but *
    public void If_none_match_uses_the_weak_comparison(string list, string etag, bool matches) =>
        Assert.Equal(matches, EntityTags.WeakMatch(Encoding.ASCII.GetBytes(list), Encoding.ASCII.GetBytes(etag)));

    [Fact]
    public void Stale_directives_and_validators_are_read_from_a_stored_head_too()
    {
        var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nCache-Control: max-age=5, stale-while-revalidate=30\r\nCache-Control: stale-if-error=60, must-revalidate\r\nETag: \"x\"\r\nContent-Length: 0\r\n");
        var d = ResponseDirectives.OfStored(head, DateTimeOffset.UtcNow);
        Assert.Equal((5L, 30L, 60L, true, true, false), (d.MaxAge, d.StaleWhileRevalidate, d.StaleIfError, d.MustRevalidate, d.HasValidator, d.AllowsStale));
        var none = ResponseDirectives.OfStored(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n"), DateTimeOffset.UtcNow);
        Assert.Equal((-1L, -1L, false, true), (none.StaleWhileRevalidate, none.StaleIfError, none.HasValidator, none.AllowsStale));
    }

    [Fact]
    public void Stale_on_arrival_is_stored_only_when_it_can_still_be_used()
    {
        var options = new RouteCacheOptions();
        long Lifetime(string fields) => StoragePolicy.Lifetime(ResponseDirectives.Of(Response("HTTP/1.1 200 OK\r\n" + fields), DateTimeOffset.UtcNow), 200, false, options);
        Assert.Equal(-1, Lifetime("Cache-Control: max-age=0\r\n"));
        Assert.Equal(0, Lifetime("Cache-Control: max-age=0\r\nETag: \"x\"\r\n"));
        Assert.Equal(0, Lifetime("Cache-Control: max-age=0\r\nLast-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n"));
        Assert.Equal(0, Lifetime("Cache-Control: max-age=0, stale-while-revalidate=10\r\n"));
        Assert.Equal(-1, Lifetime("Cache-Control: max-age=0, must-revalidate, stale-while-revalidate=10\r\n"));
        Assert.Equal(0, Lifetime("Cache-Control: no-cache, max-age=60\r\nETag: \"x\"\r\n"));
        Assert.Equal(-1, Lifetime("Cache-Control: no-cache\r\n"));
        Assert.Equal(10, Lifetime("Cache-Control: max-age=10, stale-if-error=5\r\nAge: 12\r\n"));
        Assert.Equal(-1, Lifetime("ETag: \"x\"\r\n")); // no freshness, no default_ttl
    }
}
