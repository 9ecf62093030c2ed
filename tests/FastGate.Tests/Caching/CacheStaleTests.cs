using FastGate.Tests.Discovery;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Caching;

/// <summary>stale-while-revalidate and stale-if-error (RFC 5861) over real sockets.</summary>
public class CacheStaleTests
{
    private const string Unavailable = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown";

    [Fact]
    public async Task StaleWhileRevalidateServesStaleAndRefreshesOnceInTheBackground()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fixture = await CacheFixture.StartConditionalAsync(
            CacheFixture.Ok("v1", "Cache-Control: max-age=0, stale-while-revalidate=60\r\nETag: \"s1\"\r\n"),
            "HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=600, stale-while-revalidate=60\r\nETag: \"s1\"\r\nX-Refreshed: yes\r\n\r\n",
            release.Task);
        Assert.Equal("MISS", (await fixture.SendAsync("/swr")).Header("X-Cache"));

        // 50 clients at once while the one refresh is held at the upstream: every one is served the stale entry.
        var all = await fixture.ConcurrentAsync(50, "/swr");
        Assert.All(all, r => Assert.Equal((200, "v1", "STALE"), (r.Status, r.Body, r.Header("X-Cache"))));
        await Poll.UntilAsync(() => fixture.UpstreamRequests == 2, "the background refresh at the upstream");
        var refresh = fixture.Upstream.Requests.ToArray()[1];
        Assert.Equal("\"s1\"", refresh.Header("If-None-Match"));

        release.SetResult();
        HttpResponse response = null!;
        await Poll.UntilAsync(() => (response = fixture.SendAsync("/swr").GetAwaiter().GetResult()).Header("X-Cache") == "HIT", "the refreshed entry");
        Assert.Equal(("v1", "yes", "max-age=600, stale-while-revalidate=60"), (response.Body, response.Header("X-Refreshed"), response.Header("Cache-Control")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task ABackgroundRefreshAnswered200ReplacesTheEntry()
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("old", "Cache-Control: max-age=0, stale-while-revalidate=60\r\n")
            : CacheFixture.Ok("new", "Cache-Control: max-age=600\r\n"));
        await fixture.SendAsync("/swr");
        var stale = await fixture.SendAsync("/swr");
        Assert.Equal(("old", "STALE"), (stale.Body, stale.Header("X-Cache")));
        HttpResponse response = null!;
        await Poll.UntilAsync(() => (response = fixture.SendAsync("/swr").GetAwaiter().GetResult()).Header("X-Cache") == "HIT", "the replaced entry");
        Assert.Equal("new", response.Body);
        Assert.Null(fixture.Upstream.Requests.ToArray()[1].Header("If-None-Match"));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task PastTheWindowTheRequestRevalidatesItself()
    {
        await using var fixture = await CacheFixture.StartConditionalAsync(
            CacheFixture.Ok("v1", "Cache-Control: max-age=0, stale-while-revalidate=0\r\nETag: \"p\"\r\n"),
            "HTTP/1.1 304 Not Modified\r\nETag: \"p\"\r\nCache-Control: max-age=0, stale-while-revalidate=0\r\n\r\n");
        await fixture.SendAsync("/late");
        var response = await fixture.SendAsync("/late");
        Assert.Equal(("v1", "REVALIDATED"), (response.Body, response.Header("X-Cache")));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task StaleIfErrorServesTheStaleEntryWhenTheUpstreamAnswers5xx(int status)
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\n")
            : $"HTTP/1.1 {status} Failed\r\nContent-Length: 4\r\n\r\ndown");
        await fixture.SendAsync("/sie");
        var response = await fixture.SendAsync("/sie");
        Assert.Equal((200, "kept", "STALE"), (response.Status, response.Body, response.Header("X-Cache")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task OtherErrorStatusesAndPastTheWindowAreRelayed()
    {
        var calls = 0;
        await using (var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\n")
            : "HTTP/1.1 501 Not Implemented\r\nContent-Length: 4\r\n\r\nnope"))
        {
            await fixture.SendAsync("/sie");
            Assert.Equal(501, (await fixture.SendAsync("/sie")).Status);
        }
        calls = 0;
        await using var late = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=0\r\nETag: \"k\"\r\n")
            : Unavailable);
        await late.SendAsync("/sie");
        var relayed = await late.SendAsync("/sie");
        Assert.Equal((503, "MISS"), (relayed.Status, relayed.Header("X-Cache")));
    }

    [Fact]
    public async Task TheRequestsStaleIfErrorAllowsStaleToo()
    {
        var calls = 0;
        await using var fixture = await CacheFixture.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? CacheFixture.Ok("kept", "Cache-Control: max-age=0\r\nETag: \"k\"\r\n")
            : Unavailable);
        await fixture.SendAsync("/sie");
        Assert.Equal(503, (await fixture.SendAsync("/sie")).Status);
        var response = await fixture.SendAsync("/sie", "Cache-Control: stale-if-error=60\r\n");
        Assert.Equal(("kept", "STALE"), (response.Body, response.Header("X-Cache")));
    }

    [Fact]
    public async Task StaleIfErrorServesTheStaleEntryWhenTheUpstreamResetsTheConnection()
    {
        var calls = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    s.Reset();
                    return;
                }
                s.Send(CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\n"));
            }
        });
        await using var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, new FastGate.Caching.CacheRuntime());
        using var first = gateway.Connect();
        first.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
        Assert.Equal("MISS", (await first.ReadResponseAsync()).Header("X-Cache"));
        using var second = gateway.Connect();
        second.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
        var response = await second.ReadResponseAsync();
        Assert.Equal((200, "kept", "STALE"), (response.Status, response.Body, response.Header("X-Cache")));
    }

    [Fact]
    public async Task StaleIfErrorServesTheStaleEntryWhenTheUpstreamTimesOut()
    {
        var calls = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                // After the first answer the upstream takes requests and never answers them.
                if (Interlocked.Increment(ref calls) > 1) continue;
                s.Send(CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\n"));
            }
        });
        var timeouts = FastGate.Upstreams.UpstreamTimeouts.Default with { Response = TimeSpan.FromMilliseconds(300) };
        await using var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, new FastGate.Caching.CacheRuntime(), timeouts: timeouts);
        using var client = gateway.Connect();
        client.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
        Assert.Equal("MISS", (await client.ReadResponseAsync()).Header("X-Cache"));
        client.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));
        Assert.Equal((200, "kept", "STALE"), (response.Status, response.Body, response.Header("X-Cache")));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task StaleIfErrorServesTheStaleEntryWhileTheUpstreamRefusesConnections()
    {
        // The first answer closes its connection, so nothing pooled is left once the upstream stops listening.
        var upstream = new ScriptedUpstream(async s =>
        {
            if (await s.ReadRequestAsync() is not null)
                s.Send(CacheFixture.Ok("kept", "Cache-Control: max-age=0, stale-if-error=60\r\nETag: \"k\"\r\nConnection: close\r\n"));
        });
        await using var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, new FastGate.Caching.CacheRuntime());
        using (var first = gateway.Connect())
        {
            first.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
            Assert.Equal("MISS", (await first.ReadResponseAsync()).Header("X-Cache"));
        }
        var port = upstream.EndPoint.Port;
        await upstream.DisposeAsync();
        using var refusing = new RefusingPort(port); // nobody else's upstream may answer on it now
        using var client = gateway.Connect();
        for (var i = 0; i < 3; i++)
        {
            client.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal((200, "kept", "STALE"), (response.Status, response.Body, response.Header("X-Cache")));
        }
        client.Send("GET /sie HTTP/1.1\r\nHost: example.com\r\nCache-Control: no-cache\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }
}
