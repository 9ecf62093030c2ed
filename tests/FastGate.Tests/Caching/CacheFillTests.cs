using FastGate.Caching;

namespace FastGate.Tests.Caching;

/// <summary>Bodies of every framing teed into the fill: a chunked or close-delimited body is stored as plain bytes, within max_object_size.</summary>
public class CacheFillTests
{
    private const string Chunked = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
        "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n";

    [Fact]
    public async Task AChunkedBodyIsStoredAndServedWithItsLength()
    {
        await using var fixture = await CacheFixture.StartAsync(_ => Chunked);
        var miss = await fixture.SendAsync("/c");
        Assert.Equal(("MISS", "hello, world"), (miss.Header("X-Cache"), miss.Body));
        Assert.Equal("chunked", miss.Header("Transfer-Encoding"));
        var hit = await fixture.SendAsync("/c");
        Assert.Equal(("HIT", "hello, world", "12"), (hit.Header("X-Cache"), hit.Body, hit.Header("Content-Length")));
        Assert.Null(hit.Header("Transfer-Encoding"));
        Assert.Null(hit.Header("Trailer"));
        Assert.Equal(1, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIsRelayedWholeAndNotStored()
    {
        var chunk = new string('z', 4000);
        var response = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Repeat($"FA0\r\n{chunk}\r\n", 5)) + "0\r\n\r\n";
        await using var fixture = await CacheFixture.StartAsync(_ => response, new RouteCacheOptions { MaxObjectSize = 10_000 });
        Assert.Equal(20_000, (await fixture.SendAsync("/big")).Body.Length);
        var second = await fixture.SendAsync("/big");
        Assert.Equal(("MISS", 20_000), (second.Header("X-Cache"), second.Body.Length));
        Assert.Equal(0, fixture.Runtime.Store.Entries);
    }

    [Fact]
    public async Task AChunkedBodyGrowsItsBufferUpToTheLimit()
    {
        var chunk = new string('y', 4000);
        var response = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Repeat($"FA0\r\n{chunk}\r\n", 10)) + "0\r\n\r\n";
        await using var fixture = await CacheFixture.StartAsync(_ => response, new RouteCacheOptions { MaxObjectSize = 40_000 });
        await fixture.SendAsync("/grow");
        var hit = await fixture.SendAsync("/grow");
        Assert.Equal(("HIT", "40000"), (hit.Header("X-Cache"), hit.Header("Content-Length")));
        Assert.Equal(string.Concat(Enumerable.Repeat(chunk, 10)), hit.Body);
    }

    [Fact]
    public async Task ACloseDelimitedBodyIsStored()
    {
        var served = 0;
        await using var upstream = new Integration.ScriptedUpstream(async s =>
        {
            if (await s.ReadRequestAsync() is null) return;
            s.Send($"HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nConnection: close\r\n\r\nuntil close {Interlocked.Increment(ref served)}");
            s.Dispose();
        });
        var runtime = new CacheRuntime();
        await using var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, runtime);
        using var client = gateway.Connect();
        client.Send("GET /u HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(("MISS", "until close 1"), ((await client.ReadResponseAsync()) is var miss ? (miss.Header("X-Cache"), miss.Body) : default));
        client.Send("GET /u HTTP/1.1\r\nHost: a\r\n\r\n");
        var hit = await client.ReadResponseAsync();
        Assert.Equal(("HIT", "until close 1"), (hit.Header("X-Cache"), hit.Body));
        Assert.Equal(1, served);
    }
}
