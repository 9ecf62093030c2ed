using FastGate.Tests.Integration;

namespace FastGate.Tests.Caching;

/// <summary>Stale entries revalidated with the upstream (RFC 9111 §4.3): the cache's conditional request, 304 → refreshed entry, 200 → replaced.</summary>
public class CacheRevalidationTests
{
    private const string NotModified304 = "HTTP/1.1 304 Not Modified\r\n";

    /// <summary>"v1" with ETag "e1", stale on arrival, already stored at /r; a conditional request gets <paramref name="conditional"/>.</summary>
    private static async Task<CacheFixture> StoredStaleAsync(string conditional)
    {
        var fixture = await CacheFixture.StartConditionalAsync(CacheFixture.Ok("v1", "Cache-Control: max-age=0\r\nETag: \"e1\"\r\n"), conditional);
        await fixture.SendAsync("/r");
        return fixture;
    }

    [Fact]
    public async Task A304RefreshesTheStaleEntryAndTheNextRequestIsAHit()
    {
        await using var fixture = await CacheFixture.StartConditionalAsync(
            CacheFixture.Ok("v1", "Cache-Control: max-age=0\r\nETag: \"e1\"\r\nLast-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\nX-Version: 1\r\n"),
            NotModified304 + "Cache-Control: max-age=600\r\nETag: \"e1\"\r\nX-Version: 2\r\nAge: 30\r\nContent-Length: 99\r\n\r\n");
        Assert.Equal("MISS", (await fixture.SendAsync("/r")).Header("X-Cache"));

        var revalidated = await fixture.SendAsync("/r");
        Assert.Equal((200, "v1", "REVALIDATED"), (revalidated.Status, revalidated.Body, revalidated.Header("X-Cache")));
        Assert.Equal("2", revalidated.Header("X-Version"));
        Assert.Equal("2", revalidated.Header("Content-Length")); // the 304's framing fields are not taken
        var upstream = fixture.Upstream.Requests.ToArray()[1];
        Assert.Equal("\"e1\"", upstream.Header("If-None-Match"));
        Assert.Equal("Tue, 01 Dec 2026 10:00:00 GMT", upstream.Header("If-Modified-Since"));

        var hit = await fixture.SendAsync("/r");
        Assert.Equal((200, "v1", "HIT"), (hit.Status, hit.Body, hit.Header("X-Cache")));
        Assert.Equal(("2", "max-age=600"), (hit.Header("X-Version"), hit.Header("Cache-Control")));
        Assert.True(int.Parse(hit.Header("Age")!) is >= 30 and < 600, hit.Head);
        Assert.Single(hit.Head.Split("\r\n"), l => l.StartsWith("X-Version:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task ConcurrentRequestsForAStaleEntryShareOneRevalidation()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fixture = await CacheFixture.StartConditionalAsync(CacheFixture.Ok("v1", "Cache-Control: max-age=0\r\nETag: \"c\"\r\n"),
            NotModified304 + "Cache-Control: max-age=600\r\nETag: \"c\"\r\n\r\n", release.Task);
        await fixture.SendAsync("/c");
        var all = await fixture.ConcurrentAsync(20, "/c", async () =>
        {
            await Discovery.Poll.UntilAsync(() => fixture.Runtime.Waiting == 19 && fixture.UpstreamRequests == 2, "19 waiters and 1 revalidation");
            release.SetResult();
        });
        Assert.All(all, r => Assert.Equal((200, "v1"), (r.Status, r.Body)));
        Assert.Equal((1, 19), (all.Count(r => r.Header("X-Cache") == "REVALIDATED"), all.Count(r => r.Header("X-Cache") == "HIT")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task TheClientsConditionalsAreReplacedByTheCachesAndEvaluatedAfterwards()
    {
        await using var fixture = await StoredStaleAsync(NotModified304 + "ETag: \"e1\"\r\nCache-Control: max-age=0\r\n\r\n");

        var other = await fixture.SendAsync("/r", "If-None-Match: \"zzz\"\r\nIf-Modified-Since: Wed, 02 Dec 2026 10:00:00 GMT\r\n");
        Assert.Equal((200, "v1", "REVALIDATED"), (other.Status, other.Body, other.Header("X-Cache")));
        var sent = fixture.Upstream.Requests.ToArray()[1];
        Assert.Single(sent.Head.Split("\r\n"), l => l.StartsWith("If-None-Match:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("\"e1\"", sent.Header("If-None-Match"));
        Assert.Null(sent.Header("If-Modified-Since"));

        var same = await fixture.SendAsync("/r", "If-None-Match: \"e1\"\r\n");
        Assert.Equal((304, "", "REVALIDATED"), (same.Status, same.Body, same.Header("X-Cache")));
        Assert.Equal("\"e1\"", same.Header("ETag"));
        Assert.Equal(3, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task A304NamingAnotherETagDoesNotUpdateTheEntry()
    {
        await using var fixture = await StoredStaleAsync(NotModified304 + "Cache-Control: max-age=600\r\nETag: \"other\"\r\n\r\n");
        var response = await fixture.SendAsync("/r");
        Assert.Equal(("v1", "REVALIDATED"), (response.Body, response.Header("X-Cache")));
        Assert.Equal(0, fixture.Runtime.Store.Entries); // dropped, not refreshed with the other representation's fields
    }

    [Fact]
    public async Task A200ToTheRevalidationReplacesTheEntry()
    {
        await using var fixture = await StoredStaleAsync(CacheFixture.Ok("v2", "Cache-Control: max-age=600\r\nETag: \"e2\"\r\n"));
        var replaced = await fixture.SendAsync("/r");
        Assert.Equal(("v2", "MISS"), (replaced.Body, replaced.Header("X-Cache")));
        var hit = await fixture.SendAsync("/r");
        Assert.Equal(("v2", "HIT", "\"e2\""), (hit.Body, hit.Header("X-Cache"), hit.Header("ETag")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task NoCacheIsStoredButRevalidatedOnEveryRequest()
    {
        const string rules = "Cache-Control: no-cache, stale-while-revalidate=60, stale-if-error=60\r\nETag: \"n\"\r\n";
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(r => Interlocked.Increment(ref calls) switch
        {
            1 => CacheFixture.Ok("stored", rules),
            4 => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown",
            _ => NotModified304 + rules + "\r\n",
        });
        Assert.Equal("MISS", (await fixture.SendAsync("/n")).Header("X-Cache"));
        for (var i = 0; i < 2; i++)
        {
            var response = await fixture.SendAsync("/n");
            Assert.Equal(("stored", "REVALIDATED"), (response.Body, response.Header("X-Cache")));
        }
        // Neither its stale-while-revalidate nor its stale-if-error lets a no-cache entry out unvalidated.
        var failed = await fixture.SendAsync("/n");
        Assert.Equal((503, "down"), (failed.Status, failed.Body));
        Assert.Equal(4, fixture.UpstreamRequests);
        Assert.All(fixture.Upstream.Requests.Skip(1), r => Assert.Equal("\"n\"", r.Header("If-None-Match")));
    }

    [Fact]
    public async Task NoCacheWithoutAValidatorIsNotStored()
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok($"b{Interlocked.Increment(ref calls)}", "Cache-Control: no-cache\r\n"));
        await fixture.SendAsync("/n");
        Assert.Equal(("b2", "MISS"), ((await fixture.SendAsync("/n")).Body, (await fixture.SendAsync("/n")).Header("X-Cache")));
        Assert.Equal(0, fixture.Runtime.Store.Entries);
    }

    [Theory]
    [InlineData("must-revalidate")]
    [InlineData("proxy-revalidate")]
    public async Task MustRevalidateBlocksEveryStaleUse(string directive)
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("stored", $"Cache-Control: max-age=0, {directive}, stale-while-revalidate=60, stale-if-error=60\r\nETag: \"m\"\r\n")
            : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        await fixture.SendAsync("/m");
        var failed = await fixture.SendAsync("/m", "Cache-Control: max-stale=60, stale-if-error=60\r\n");
        Assert.Equal((503, "down", "MISS"), (failed.Status, failed.Body, failed.Header("X-Cache")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task SMaxAgeCarriesProxyRevalidateSoTheClientsMaxStaleAndStaleIfErrorDoNotServeStale()
    {
        await using var fixture = await CacheFixture.StartConditionalAsync(CacheFixture.Ok("stored", "Cache-Control: s-maxage=0\r\nETag: \"x\"\r\n"),
            NotModified304 + "ETag: \"x\"\r\n\r\n");
        await fixture.SendAsync("/s");
        var asked = await fixture.SendAsync("/s", "Cache-Control: max-stale=60\r\n");
        Assert.Equal(("stored", "REVALIDATED"), (asked.Body, asked.Header("X-Cache")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Theory]
    [InlineData("s-maxage=0", "Cache-Control: stale-if-error=60\r\n", 503, "MISS")] // the client's window: not with s-maxage
    [InlineData("s-maxage=0, stale-if-error=60", "", 200, "STALE")]                    // the origin's own window: it opted in
    [InlineData("max-age=0", "Cache-Control: stale-if-error=60\r\n", 200, "STALE")]
    public async Task StaleIfErrorWithSMaxAgeOnlyWhenTheOriginAllowedIt(string cacheControl, string requestHeaders, int status, string outcome)
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("stored", $"Cache-Control: {cacheControl}\r\nETag: \"e\"\r\n")
            : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        await fixture.SendAsync("/e");
        var answer = await fixture.SendAsync("/e", requestHeaders);
        Assert.Equal((status, outcome), (answer.Status, answer.Header("X-Cache")));
    }

    [Fact]
    public async Task RequestMaxStaleTakesAStaleEntryWithoutAskingTheUpstream()
    {
        await using var fixture = await CacheFixture.StartConditionalAsync(CacheFixture.Ok("stored", "Cache-Control: max-age=0\r\nETag: \"x\"\r\n"),
            NotModified304 + "ETag: \"x\"\r\n\r\n");
        await fixture.SendAsync("/s");
        var stale = await fixture.SendAsync("/s", "Cache-Control: max-stale=60\r\n");
        Assert.Equal(("stored", "STALE"), (stale.Body, stale.Header("X-Cache")));
        var anyAge = await fixture.SendAsync("/s", "Cache-Control: max-stale\r\n");
        Assert.Equal("STALE", anyAge.Header("X-Cache"));
        Assert.Equal(1, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task AnEntryWithoutValidatorsIsRefetchedWhole()
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok($"b{Interlocked.Increment(ref calls)}", "Cache-Control: max-age=0, stale-if-error=60\r\n"));
        await fixture.SendAsync("/w");
        var again = await fixture.SendAsync("/w");
        Assert.Equal(("b2", "MISS"), (again.Body, again.Header("X-Cache")));
        Assert.Null(fixture.Upstream.Requests.ToArray()[1].Header("If-None-Match"));
    }
}
