using FastGate.Caching;
using FastGate.Tests.Discovery;

namespace FastGate.Tests.Caching;

/// <summary>Concurrent misses for one key share one upstream request; a byte budget holds under eviction.</summary>
public class CacheCoalescingTests
{
    [Fact]
    public async Task HundredConcurrentMissesSendOneUpstreamRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok("shared", "Cache-Control: max-age=60\r\n"),
            before: _ => release.Task);
        var clients = Enumerable.Range(0, 100).Select(_ => fixture.Gateway.Connect()).ToArray();
        try
        {
            foreach (var client in clients) client.Send("GET /hot HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var responses = clients.Select(c => c.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30))).ToArray();
            // One leads the fill (its request is held at the upstream), the other 99 wait for it.
            await Poll.UntilAsync(() => fixture.Runtime.Waiting == 99 && fixture.UpstreamRequests == 1, "99 waiters and 1 upstream request", 20);
            release.SetResult();
            var all = await Task.WhenAll(responses);
            Assert.All(all, r => Assert.Equal((200, "shared"), (r.Status, r.Body)));
            Assert.Equal(1, all.Count(r => r.Header("X-Cache") == "MISS"));
            Assert.Equal(99, all.Count(r => r.Header("X-Cache") == "HIT"));
            Assert.Equal(1, fixture.UpstreamRequests);
            Assert.Equal(0, fixture.Runtime.Waiting);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task WaitersGoUpstreamThemselvesWhenTheFillIsNotCacheable()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok("mine", "Cache-Control: private\r\n"),
            before: _ => release.Task);
        var clients = Enumerable.Range(0, 5).Select(_ => fixture.Gateway.Connect()).ToArray();
        try
        {
            foreach (var client in clients) client.Send("GET /p HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var responses = clients.Select(c => c.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30))).ToArray();
            await Poll.UntilAsync(() => fixture.Runtime.Waiting == 4, "4 waiters");
            release.SetResult();
            var all = await Task.WhenAll(responses);
            Assert.All(all, r => Assert.Equal(("mine", "MISS"), (r.Body, r.Header("X-Cache"))));
            Assert.Equal(5, fixture.UpstreamRequests);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task WaitersGoUpstreamThemselvesWhenTheFillBreaksOff()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        await using var upstream = new Integration.ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                if (Interlocked.Exchange(ref first, 1) == 0)
                {
                    // The leader's response: a head, part of the body, then the connection dies.
                    s.Send("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 10\r\n\r\nabc");
                    await release.Task;
                    return;
                }
                s.Send(CacheFixture.Ok("0123456789", "Cache-Control: max-age=60\r\n"));
            }
        });
        var runtime = new CacheRuntime();
        await using var gateway = await CacheFixture.StartGatewayAsync(upstream.EndPoint, runtime);
        using var leader = gateway.Connect();
        leader.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        await Poll.UntilAsync(() => !upstream.Requests.IsEmpty, "the leader's request upstream");
        var waiters = Enumerable.Range(0, 3).Select(_ => gateway.Connect()).ToArray();
        try
        {
            foreach (var waiter in waiters) waiter.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            var responses = waiters.Select(w => w.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30))).ToArray();
            await Poll.UntilAsync(() => runtime.Waiting == 3, "3 waiters");
            release.SetResult();
            var all = await Task.WhenAll(responses);
            // One of them leads the next fill; the others go upstream themselves (or, woken late, hit its entry).
            Assert.All(all, r => Assert.Equal((200, "0123456789"), (r.Status, r.Body)));
            var misses = all.Count(r => r.Header("X-Cache") == "MISS");
            Assert.InRange(misses, 1, 3);
            Assert.Equal(1 + misses, upstream.Requests.Count);
            Assert.True(await leader.IsClosedAsync());
            Assert.Equal("HIT", (await RequestAsync(gateway)).Header("X-Cache"));
        }
        finally
        {
            foreach (var waiter in waiters) waiter.Dispose();
        }
    }

    private static async Task<Integration.HttpResponse> RequestAsync(Integration.TestGateway gateway)
    {
        using var client = gateway.Connect();
        client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task TheByteBudgetHoldsUnderEviction()
    {
        const long budget = 64 * 1024;
        var body = new string('b', 4096);
        await using var fixture = await CacheFixture.StartAsync(_ => CacheFixture.Ok(body, "Cache-Control: max-age=60\r\n"),
            cache: CacheOptions.Default with { MemoryBytes = budget });
        var store = fixture.Runtime.Store;
        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(body, (await fixture.SendAsync($"/object/{i}")).Body);
            Assert.True(store.Bytes <= budget, $"{store.Bytes} bytes stored after {i + 1} objects, over the {budget} budget");
        }
        Assert.True(store.Evictions >= 40, $"{store.Evictions} evictions");
        Assert.InRange(store.Entries, 1, 16);
        Assert.Equal("HIT", (await fixture.SendAsync("/object/59")).Header("X-Cache"));
    }
}
