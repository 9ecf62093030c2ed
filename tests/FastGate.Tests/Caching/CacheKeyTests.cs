using FastGate.Caching;

namespace FastGate.Tests.Caching;

/// <summary>What forms the key (query, headers, Vary) and HEAD from a stored GET, over real sockets.</summary>
public class CacheKeyTests
{
    private static Task<CacheFixture> StartAsync(RouteCacheOptions? options = null, string headers = "Cache-Control: max-age=60\r\n") =>
        CacheFixture.StartAsync(r => CacheFixture.Ok($"for {r.Target} lang={r.Header("Accept-Language")}", headers), options);

    [Fact]
    public async Task TheWholeQueryIsPartOfTheKeyByDefault()
    {
        await using var fixture = await StartAsync();
        await fixture.SendAsync("/p?a=1");
        Assert.Equal("MISS", (await fixture.SendAsync("/p?a=2")).Header("X-Cache"));
        Assert.Equal("HIT", (await fixture.SendAsync("/p?a=1")).Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/p")).Header("X-Cache"));
        Assert.Equal(3, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task AnEmptyKeyQueryIgnoresTheQuery()
    {
        await using var fixture = await StartAsync(new RouteCacheOptions { KeyQuery = [] });
        await fixture.SendAsync("/p?a=1");
        var hit = await fixture.SendAsync("/p?b=2");
        Assert.Equal("HIT", hit.Header("X-Cache"));
        Assert.Equal("for /p?a=1 lang=", hit.Body);
    }

    [Fact]
    public async Task ListedQueryParametersFormTheKeyInAnyOrder()
    {
        await using var fixture = await StartAsync(new RouteCacheOptions { KeyQuery = ["page", "sort"] });
        await fixture.SendAsync("/p?page=2&utm=x&sort=name");
        Assert.Equal("HIT", (await fixture.SendAsync("/p?sort=name&page=2")).Header("X-Cache"));
        Assert.Equal("HIT", (await fixture.SendAsync("/p?utm=y&sort=name&page=2&ref=z")).Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/p?page=3&sort=name")).Header("X-Cache"));
    }

    [Fact]
    public async Task HostAndPathArePartOfTheKey()
    {
        await using var fixture = await StartAsync();
        await fixture.SendAsync("/a");
        Assert.Equal("MISS", (await fixture.SendAsync("/b")).Header("X-Cache"));
        using var client = fixture.Gateway.Connect();
        client.Send("GET /a HTTP/1.1\r\nHost: other.example\r\n\r\n");
        Assert.Equal("MISS", (await client.ReadResponseAsync()).Header("X-Cache"));
        client.Send("GET /a HTTP/1.1\r\nHost: EXAMPLE.com\r\n\r\n");
        Assert.Equal("HIT", (await client.ReadResponseAsync()).Header("X-Cache")); // host case does not matter
    }

    [Fact]
    public async Task KeyHeadersSplitEntries()
    {
        await using var fixture = await StartAsync(new RouteCacheOptions { KeyHeaders = ["accept-language"] });
        await fixture.SendAsync("/", "Accept-Language: en\r\n");
        Assert.Equal("MISS", (await fixture.SendAsync("/", "Accept-Language: de\r\n")).Header("X-Cache"));
        var en = await fixture.SendAsync("/", "accept-language: en\r\n");
        Assert.Equal("HIT", en.Header("X-Cache"));
        Assert.Equal("for / lang=en", en.Body);
    }

    [Fact]
    public async Task VaryKeepsOneVariantPerRequestHeaderValue()
    {
        await using var fixture = await StartAsync(headers: "Cache-Control: max-age=60\r\nVary: Accept-Language\r\n");
        Assert.Equal("MISS", (await fixture.SendAsync("/", "Accept-Language: en\r\n")).Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/", "Accept-Language: fr\r\n")).Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/")).Header("X-Cache"));
        var en = await fixture.SendAsync("/", "Accept-Language: en\r\n");
        var fr = await fixture.SendAsync("/", "Accept-Language: fr\r\n");
        var none = await fixture.SendAsync("/");
        Assert.Equal(("HIT", "for / lang=en"), (en.Header("X-Cache"), en.Body));
        Assert.Equal(("HIT", "for / lang=fr"), (fr.Header("X-Cache"), fr.Body));
        Assert.Equal(("HIT", "for / lang="), (none.Header("X-Cache"), none.Body));
        Assert.Equal(3, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task HeadIsAnsweredFromAStoredGetAndNeverStored()
    {
        await using var fixture = await StartAsync();
        var head = await fixture.SendAsync("/h", method: "HEAD");
        Assert.Equal("MISS", head.Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.SendAsync("/h")).Header("X-Cache"));
        using var client = fixture.Gateway.Connect();
        client.Send("HEAD /h HTTP/1.1\r\nHost: example.com\r\n\r\nGET /h HTTP/1.1\r\nHost: example.com\r\n\r\n");
        var hitHead = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal("HIT", hitHead.Header("X-Cache"));
        Assert.Equal("for /h lang=".Length.ToString(), hitHead.Header("Content-Length"));
        Assert.Equal("", hitHead.Body);
        var hitGet = await client.ReadResponseAsync(); // the HEAD's answer carried no body: the GET's follows at once
        Assert.Equal(("HIT", "for /h lang="), (hitGet.Header("X-Cache"), hitGet.Body));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task AKeepAliveConnectionCarriesHitsBackToBack()
    {
        await using var fixture = await StartAsync();
        await fixture.SendAsync("/k");
        using var client = fixture.Gateway.Connect();
        for (var i = 0; i < 5; i++)
        {
            client.Send("GET /k HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(("HIT", "for /k lang="), (response.Header("X-Cache"), response.Body));
            Assert.Null(response.Header("Connection"));
        }
        client.Send("GET /k HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal("close", (await client.ReadResponseAsync()).Header("Connection"));
        Assert.True(await client.IsClosedAsync());
    }
}
