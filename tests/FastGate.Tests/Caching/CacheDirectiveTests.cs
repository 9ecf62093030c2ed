using FastGate.Caching;

namespace FastGate.Tests.Caching;

/// <summary>The response's and the request's Cache-Control (and Expires, Age, Authorization, Set-Cookie) over real sockets.</summary>
public class CacheDirectiveTests
{
    private static string Counted(ref int counter, string headers, int status = 200) =>
        CacheFixture.Ok($"body{Interlocked.Increment(ref counter)}", headers, status);

    /// <summary>Sends GET / twice and returns both responses.</summary>
    private static async Task<(Integration.HttpResponse First, Integration.HttpResponse Second, int Upstream)> TwiceAsync(
        string responseHeaders, RouteCacheOptions? options = null, string requestHeaders = "", int status = 200)
    {
        var counter = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Counted(ref counter, responseHeaders, status), options);
        var first = await fixture.SendAsync("/", requestHeaders);
        var second = await fixture.SendAsync("/", requestHeaders);
        return (first, second, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task MaxAgeIsStoredAndTheSecondRequestIsAHitWithAge()
    {
        var (first, second, upstream) = await TwiceAsync("Cache-Control: max-age=60\r\n");
        Assert.Equal("MISS", first.Header("X-Cache"));
        Assert.Null(first.Header("Age"));
        Assert.Equal("HIT", second.Header("X-Cache"));
        Assert.Equal("body1", second.Body);
        Assert.Equal("5", second.Header("Content-Length"));
        Assert.Equal("max-age=60", second.Header("Cache-Control"));
        Assert.True(int.Parse(second.Header("Age")!) is >= 0 and < 60);
        Assert.Equal(1, upstream);
    }

    [Theory]
    [InlineData("Cache-Control: no-store, max-age=60\r\n")]
    [InlineData("Cache-Control: private, max-age=60\r\n")]
    [InlineData("Cache-Control: no-cache, max-age=60\r\n")]
    [InlineData("Cache-Control: max-age=0\r\n")]
    [InlineData("Cache-Control: max-age=60\r\nVary: *\r\n")]
    [InlineData("Cache-Control: max-age=60\r\nSet-Cookie: session=1\r\n")]
    [InlineData("Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n")]
    [InlineData("Expires: not a date\r\nCache-Control: public\r\n")]
    [InlineData("Cache-Control: max-age=60\r\nAge: 60\r\n")]
    [InlineData("")] // no freshness and no default_ttl
    public async Task NotStored(string headers)
    {
        var (first, second, upstream) = await TwiceAsync(headers);
        Assert.Equal("MISS", first.Header("X-Cache"));
        Assert.Equal("MISS", second.Header("X-Cache"));
        Assert.Equal("body2", second.Body);
        Assert.Equal(2, upstream);
    }

    [Theory]
    [InlineData("Cache-Control: max-age=0, s-maxage=60\r\n")] // s-maxage wins
    [InlineData("Cache-Control: public, max-age=60, must-revalidate, proxy-revalidate, immutable\r\n")]
    [InlineData("Cache-Control: max-age=60\r\nSet-Cookie: a=1\r\n", true)]
    public async Task Stored(string headers, bool storeSetCookie = false)
    {
        var (_, second, upstream) = await TwiceAsync(headers, new RouteCacheOptions { StoreSetCookie = storeSetCookie });
        Assert.Equal("HIT", second.Header("X-Cache"));
        Assert.Equal("body1", second.Body);
        Assert.Equal(1, upstream);
    }

    [Fact]
    public async Task ExpiresInTheFutureRelativeToDateIsFresh()
    {
        var date = DateTimeOffset.UtcNow;
        var (_, second, upstream) = await TwiceAsync($"Date: {date:R}\r\nExpires: {date.AddMinutes(5):R}\r\n");
        Assert.Equal("HIT", second.Header("X-Cache"));
        Assert.Equal(1, upstream);
    }

    [Fact]
    public async Task DefaultTtlAppliesToHeuristicStatusesOnly()
    {
        var options = new RouteCacheOptions { DefaultTtl = TimeSpan.FromMinutes(1) };
        Assert.Equal(1, (await TwiceAsync("", options)).Upstream);
        Assert.Equal(1, (await TwiceAsync("", options, status: 404)).Upstream);
        Assert.Equal(2, (await TwiceAsync("", options, status: 500)).Upstream);
        // Any status with explicit freshness.
        Assert.Equal(1, (await TwiceAsync("Cache-Control: max-age=60\r\n", status: 500)).Upstream);
    }

    [Fact]
    public async Task UpstreamAgeIsAddedToTheResidentTime()
    {
        var (_, second, _) = await TwiceAsync("Cache-Control: max-age=600\r\nAge: 100\r\n");
        Assert.Equal("HIT", second.Header("X-Cache"));
        Assert.True(int.Parse(second.Header("Age")!) is >= 100 and < 600, second.Head);
        Assert.Single(second.Head.Split("\r\n"), l => l.StartsWith("Age:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AnEntryExpiresAfterItsTtl()
    {
        var counter = 0;
        // max_ttl caps the origin's hour to one second.
        await using var fixture = await CacheFixture.StartAsync(_ => Counted(ref counter, "Cache-Control: max-age=3600\r\n"),
            new RouteCacheOptions { MaxTtl = TimeSpan.FromSeconds(1) });
        await fixture.SendAsync("/");
        Assert.Equal("HIT", (await fixture.SendAsync("/")).Header("X-Cache"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Integration.HttpResponse response;
        do response = await fixture.SendAsync("/");
        while (response.Header("X-Cache") == "HIT" && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal("MISS", response.Header("X-Cache"));
        Assert.Equal("body2", response.Body);
        Assert.Equal("HIT", (await fixture.SendAsync("/")).Header("X-Cache")); // stored again
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }

    [Fact]
    public async Task AuthorizedRequestsAreStoredOnlyWhenTheResponseAllowsIt()
    {
        const string auth = "Authorization: Bearer x\r\n";
        Assert.Equal(2, (await TwiceAsync("Cache-Control: max-age=60\r\n", requestHeaders: auth)).Upstream);
        Assert.Equal(1, (await TwiceAsync("Cache-Control: public, max-age=60\r\n", requestHeaders: auth)).Upstream);
        Assert.Equal(1, (await TwiceAsync("Cache-Control: s-maxage=60\r\n", requestHeaders: auth)).Upstream);
        Assert.Equal(1, (await TwiceAsync("Cache-Control: max-age=60, must-revalidate\r\n", requestHeaders: auth)).Upstream);
    }

    /// <summary>A fixture whose upstream numbers its bodies and allows a minute of freshness.</summary>
    private static Task<CacheFixture> StartCountingAsync()
    {
        var counter = 0;
        return CacheFixture.StartAsync(_ => Counted(ref counter, "Cache-Control: max-age=60\r\n"));
    }

    [Fact]
    public async Task AnAuthorizedRequestIsNotServedAnEntryStoredWithoutPermission()
    {
        await using var fixture = await StartCountingAsync();
        await fixture.SendAsync("/");
        var authorized = await fixture.SendAsync("/", "Authorization: Basic eDp5\r\n");
        Assert.Equal(("MISS", "body2"), (authorized.Header("X-Cache"), authorized.Body));
        Assert.Equal("HIT", (await fixture.SendAsync("/")).Header("X-Cache"));
    }

    [Fact]
    public async Task RequestNoStoreBypassesAndStoresNothing()
    {
        var (first, second, upstream) = await TwiceAsync("Cache-Control: max-age=60\r\n", requestHeaders: "Cache-Control: no-store\r\n");
        Assert.Equal("BYPASS", first.Header("X-Cache"));
        Assert.Equal("BYPASS", second.Header("X-Cache"));
        Assert.Equal(2, upstream);
    }

    [Theory]
    [InlineData("Cache-Control: no-cache\r\n")]
    [InlineData("Cache-Control: max-age=0\r\n")]
    [InlineData("Pragma: no-cache\r\n")]
    public async Task RequestNoCacheGoesUpstreamAndStoresTheNewResponse(string requestHeaders)
    {
        await using var fixture = await StartCountingAsync();
        await fixture.SendAsync("/");
        var refreshed = await fixture.SendAsync("/", requestHeaders);
        Assert.Equal(("MISS", "body2"), (refreshed.Header("X-Cache"), refreshed.Body));
        var next = await fixture.SendAsync("/");
        Assert.Equal(("HIT", "body2"), (next.Header("X-Cache"), next.Body));
    }

    [Fact]
    public async Task RequestMaxAgeRefusesAnOlderEntry()
    {
        var (_, second, upstream) = await TwiceAsync("Cache-Control: max-age=600\r\nAge: 100\r\n", requestHeaders: "Cache-Control: max-age=50\r\n");
        Assert.Equal("MISS", second.Header("X-Cache"));
        Assert.Equal(2, upstream);
    }

    [Theory]
    [InlineData("Cache-Control: min-fresh=100\r\n", 2)] // 60 s of freshness left is not 100
    [InlineData("Cache-Control: min-fresh=30\r\n", 1)]
    [InlineData("Cache-Control: min-fresh=x\r\n", 1)] // a bad value is ignored
    public async Task RequestMinFreshRefusesAnEntryThatWillNotStayFreshLongEnough(string requestHeaders, int upstreamRequests)
    {
        var (_, second, upstream) = await TwiceAsync("Cache-Control: max-age=60\r\n", requestHeaders: requestHeaders);
        Assert.Equal(upstreamRequests, upstream);
        Assert.Equal(upstreamRequests == 1 ? "HIT" : "MISS", second.Header("X-Cache"));
    }

    [Fact]
    public async Task OtherMethodsBypass()
    {
        await using var fixture = await StartCountingAsync();
        var post = await fixture.SendAsync("/", "Content-Length: 0\r\n", method: "POST");
        Assert.Equal("BYPASS", post.Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/")).Header("X-Cache"));
    }

    [Fact]
    public async Task AnObjectOverMaxObjectSizeIsNotStored()
    {
        var body = new string('x', 2000);
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok(body, "Cache-Control: max-age=60\r\n"),
            new RouteCacheOptions { MaxObjectSize = 1000 });
        await fixture.SendAsync("/");
        var second = await fixture.SendAsync("/");
        Assert.Equal("MISS", second.Header("X-Cache"));
        Assert.Equal(body, second.Body);
        Assert.Equal(0, fixture.Runtime.Store.Entries);
    }

    [Fact]
    public async Task TheStatusHeaderCanBeRenamedOrOff()
    {
        var counter = 0;
        await using (var off = await CacheFixture.StartAsync(_ => Counted(ref counter, "Cache-Control: max-age=60\r\n"),
            cache: CacheOptions.Default with { StatusHeader = "" }))
        {
            await off.SendAsync("/");
            var hit = await off.SendAsync("/");
            Assert.Null(hit.Header("X-Cache"));
            Assert.NotNull(hit.Header("Age"));
        }
        await using var renamed = await CacheFixture.StartAsync(_ => Counted(ref counter, "Cache-Control: max-age=60\r\nX-Edge: upstream\r\n"),
            cache: CacheOptions.Default with { StatusHeader = "X-Edge" });
        Assert.Equal("MISS", (await renamed.SendAsync("/")).Header("X-Edge"));
        Assert.Equal("HIT", (await renamed.SendAsync("/")).Header("X-Edge"));
    }
}
