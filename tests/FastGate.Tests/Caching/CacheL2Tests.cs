using System.Diagnostics;
using FastGate.Caching;
using FastGate.Tests.Integration;
using StackExchange.Redis;

namespace FastGate.Tests.Caching;

/// <summary>L2 against a real redis-server: fills written with their TTL, read by another instance, Vary, collisions, the size limit, a slow or absent Redis.</summary>
public sealed class CacheL2Tests
{
    private static string Counted(ref int served, string headers = "Cache-Control: max-age=60\r\n") =>
        CacheFixture.Ok($"object {Interlocked.Increment(ref served)}", headers);

    [Fact]
    public async Task A_fill_is_written_with_its_ttl_and_another_instance_serves_it_from_l2()
    {
        using var redis = await RedisServer.StartAsync();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, _ => Counted(ref served));
        Assert.Equal("MISS", (await fixture.A.SendAsync("/item")).Header("X-Cache"));
        await L2Fixture.Until(() => fixture.A.L2.Writes == 1, "A wrote its fill to Redis");

        var keys = (await redis.CommandAsync("KEYS", fixture.Namespace + ":*")).Split('\n');
        var name = Assert.Single(keys);
        Assert.Matches($"^{fixture.Namespace}:\\{{[0-9a-f]{{16}}\\}}$", name);
        var ttl = int.Parse(await redis.CommandAsync("TTL", name));
        Assert.InRange(ttl, 1, 60);

        var fromL2 = await fixture.B.SendAsync("/item");
        Assert.Equal(("HIT", "object 1"), (fromL2.Header("X-Cache"), fromL2.Body));
        Assert.True(int.Parse(fromL2.Header("Age")!) >= 0);
        Assert.Equal(1, fixture.B.L2.Reads(L2Result.Hit));
        // The L2 hit filled B's L1: the next one does not ask Redis.
        Assert.Equal(("HIT", "object 1"), ((await fixture.B.SendAsync("/item")).Header("X-Cache"), (await fixture.B.SendAsync("/item")).Body));
        Assert.Equal((1L, 1), (fixture.B.L2.Reads(L2Result.Hit), fixture.B.Runtime.Store.Entries));
        Assert.Equal(1, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task A_stale_entry_with_a_validator_stays_in_l2_and_another_instance_revalidates_it()
    {
        using var redis = await RedisServer.StartAsync();
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, r => r.Header("If-None-Match") is null
            ? CacheFixture.Ok("whole", "Cache-Control: max-age=0\r\nETag: \"l2\"\r\n")
            : "HTTP/1.1 304 Not Modified\r\nETag: \"l2\"\r\nCache-Control: max-age=60\r\n\r\n");
        await fixture.A.SendAsync("/stale");
        await L2Fixture.Until(() => fixture.A.L2.Writes == 1, "A wrote its stale-on-arrival entry");
        var name = Assert.Single((await redis.CommandAsync("KEYS", fixture.Namespace + ":*")).Split('\n'));
        Assert.InRange(int.Parse(await redis.CommandAsync("TTL", name)), 60, (int)RedisTier.RevalidationKeep.TotalSeconds);

        // B has nothing in L1: it takes the stale entry from L2 and revalidates it instead of fetching it whole.
        var revalidated = await fixture.B.SendAsync("/stale");
        Assert.Equal(("whole", "REVALIDATED"), (revalidated.Body, revalidated.Header("X-Cache")));
        Assert.Equal("\"l2\"", fixture.Upstream.Requests.ToArray()[1].Header("If-None-Match"));
        Assert.Equal(("whole", "HIT"), ((await fixture.B.SendAsync("/stale")).Body, (await fixture.B.SendAsync("/stale")).Header("X-Cache")));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task Vary_variants_go_to_l2_with_their_marker_under_one_hash_tag()
    {
        using var redis = await RedisServer.StartAsync();
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, r =>
            CacheFixture.Ok("lang " + r.Header("Accept-Language"), "Cache-Control: max-age=60\r\nVary: Accept-Language\r\n"));
        await fixture.A.SendAsync("/v", "Accept-Language: en\r\n");
        await L2Fixture.Until(() => fixture.A.L2.Writes == 1, "A wrote the variant");
        var keys = (await redis.CommandAsync("KEYS", fixture.Namespace + ":*")).Split('\n').Order().ToArray();
        Assert.Equal(2, keys.Length);
        Assert.StartsWith(keys[0] + ":", keys[1]);

        var en = await fixture.B.SendAsync("/v", "Accept-Language: en\r\n");
        Assert.Equal(("HIT", "lang en"), (en.Header("X-Cache"), en.Body));
        var fr = await fixture.B.SendAsync("/v", "Accept-Language: fr\r\n");
        Assert.Equal(("MISS", "lang fr"), (fr.Header("X-Cache"), fr.Body));
        Assert.Equal(2, fixture.UpstreamRequests);
    }

    [Fact]
    public async Task A_value_whose_full_key_differs_is_a_miss()
    {
        using var redis = await RedisServer.StartAsync();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, _ => Counted(ref served));
        await fixture.A.SendAsync("/item");
        await L2Fixture.Until(() => fixture.A.L2.Writes == 1, "A wrote its fill");
        // Stand in for a hash collision: the same Redis name holding another key's entry.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        var db = connection.GetDatabase();
        var name = (await redis.CommandAsync("KEYS", fixture.Namespace + ":*")).Trim();
        var stored = EntryCodec.Decode((byte[])(await db.StringGetAsync(name))!, 1, 1, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())!;
        var other = new CacheEntry
        {
            Hash = stored.Hash, Key = "cached\nexample.com\n/other\n"u8.ToArray(), Head = stored.Head, Body = stored.Body, Status = 200,
            StoredAt = Stopwatch.GetTimestamp(), ExpiresAt = stored.ExpiresAt,
        };
        await db.StringSetAsync(name, EntryCodec.Encode(other, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), TimeSpan.FromMinutes(1));

        var answer = await fixture.B.SendAsync("/item");
        Assert.Equal(("MISS", "object 2"), (answer.Header("X-Cache"), answer.Body));
        Assert.Equal((0L, 1L), (fixture.B.L2.Reads(L2Result.Hit), fixture.B.L2.Reads(L2Result.Miss)));
    }

    [Fact]
    public async Task An_object_over_max_object_size_is_never_written()
    {
        using var redis = await RedisServer.StartAsync();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, _ => Counted(ref served), new RouteCacheOptions { MaxObjectSize = 4 });
        Assert.Equal("MISS", (await fixture.A.SendAsync("/big")).Header("X-Cache"));
        Assert.Equal("MISS", (await fixture.A.SendAsync("/big")).Header("X-Cache"));
        Assert.Equal(0, fixture.A.L2.Writes);
        Assert.Equal("", await redis.CommandAsync("KEYS", fixture.Namespace + ":*"));
    }

    [Fact]
    public async Task A_paused_redis_costs_a_request_at_most_the_timeout_and_opens_the_breaker()
    {
        using var redis = await RedisServer.StartAsync();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, _ => Counted(ref served), timeout: TimeSpan.FromMilliseconds(50));
        // Redis holds every client's commands for 4 s (it answers this one at once).
        Assert.Equal("OK", await redis.CommandAsync("CLIENT", "PAUSE", "4000"));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < CacheOptions.DefaultRedisBreakerFailures + 2; i++)
        {
            var answer = await fixture.B.SendAsync($"/slow/{i}");
            Assert.Equal((200, "MISS"), (answer.Status, answer.Header("X-Cache")));
        }
        clock.Stop();
        Assert.Equal(CacheOptions.DefaultRedisBreakerFailures, fixture.B.L2.Reads(L2Result.Error));
        Assert.Equal(2, fixture.B.L2.Reads(L2Result.Skipped));
        Assert.Equal("open", fixture.B.L2.Breaker);
        // Seven requests, five of them waiting 50 ms each for Redis: far below the pause.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task The_breaker_opens_after_the_configured_failures_and_a_good_trial_after_its_open_duration_closes_it()
    {
        using var redis = await RedisServer.StartAsync();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint, _ => Counted(ref served), timeout: TimeSpan.FromMilliseconds(50),
            tune: o => o with { RedisBreakerFailures = 3, RedisBreakerOpenDuration = TimeSpan.FromMilliseconds(300) });
        var l2 = fixture.B.L2;
        Assert.Equal("OK", await redis.CommandAsync("CLIENT", "PAUSE", "3000"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("closed", l2.Breaker); // fewer failures than configured (the default 5 would not open at 3 either)
            Assert.Equal((200, "MISS"), await StatusAsync(fixture.B, $"/paused/{i}"));
        }
        Assert.Equal(("open", 1L, 3L), (l2.Breaker, l2.BreakerOpened, l2.Reads(L2Result.Error)));
        Assert.Equal((200, "MISS"), await StatusAsync(fixture.B, "/while-open"));
        Assert.Equal((1L, 3L), (l2.Reads(L2Result.Skipped), l2.Reads(L2Result.Error)));

        // redis-cli's PING is held until the pause ends; by then the 300 ms have passed and one trial may go.
        Assert.Equal("PONG", await redis.CommandAsync("PING"));
        await L2Fixture.Until(() => l2.Breaker == "half_open", "the breaker half-open after its open duration");
        Assert.Equal((200, "MISS"), await StatusAsync(fixture.B, "/trial"));
        Assert.Equal(("closed", 1L, 1L), (l2.Breaker, l2.Reads(L2Result.Miss), l2.BreakerOpened));
    }

    private static async Task<(int, string?)> StatusAsync(L2Fixture.Node node, string target)
    {
        var answer = await node.SendAsync(target);
        return (answer.Status, answer.Header("X-Cache"));
    }

    [Fact]
    public async Task Without_a_reachable_redis_requests_are_served_from_l1_and_upstream()
    {
        using var refusing = new RefusingPort();
        var served = 0;
        await using var fixture = await L2Fixture.StartAsync($"127.0.0.1:{refusing.Port}", _ => Counted(ref served), waitConnected: false);
        Assert.Equal(("MISS", "object 1"), ((await fixture.A.SendAsync("/x")).Header("X-Cache"), (await fixture.A.SendAsync("/x")).Body));
        Assert.Equal("HIT", (await fixture.A.SendAsync("/x")).Header("X-Cache"));
        Assert.False(fixture.A.L2.Connected);
        Assert.Equal(0, fixture.A.L2.Reads(L2Result.Hit));
        Assert.Equal(0, fixture.A.L2.Writes);
    }

    [Theory]
    [InlineData("url", "/p/one?page=2&utm=x", 1)]
    [InlineData("url", "http://example.com/p/one?page=2", 1)]
    [InlineData("url", "http://other.example/p/one?page=2", 0)]
    [InlineData("url", "/p/one?page=3", 0)]
    [InlineData("prefix", "/p/", 2)]
    [InlineData("glob", "/p/*o", 1)]
    [InlineData("tag", "green", 2)]
    [InlineData("tag", "red", 0)]
    public async Task A_purge_removes_from_l2_and_reaches_the_other_instance(string kind, string value, int removed)
    {
        using var redis = await RedisServer.StartAsync();
        await using var fixture = await L2Fixture.StartAsync(redis.EndPoint,
            r => CacheFixture.Ok("x", $"Cache-Control: max-age=60\r\nSurrogate-Key: {(r.Target.StartsWith("/p/") ? "green  blue" : "other")}\r\n"),
            new RouteCacheOptions { KeyQuery = ["page"] });
        var paths = (string[])["/p/one?page=2", "/p/two", "/q"];
        for (var i = 0; i < paths.Length; i++)
        {
            await fixture.A.SendAsync(paths[i]);
            await L2Fixture.Until(() => fixture.A.L2.Writes == i + 1, "A wrote its fill");
            await fixture.B.SendAsync(paths[i]);
        }
        Assert.Equal((3, 3, 3L), (fixture.A.Runtime.Store.Entries, fixture.B.Runtime.Store.Entries, fixture.B.L2.Reads(L2Result.Hit)));
        var request = PurgeRequest.Parse(Enum.Parse<PurgeKind>(kind, ignoreCase: true), value, out var error);
        Assert.Null(error);

        var result = await fixture.A.Runtime.PurgeAsync(request!);
        Assert.Equal((removed, (long?)removed, true), (result.Removed, result.L2Removed, result.Published));
        Assert.Equal(3 - removed, (await redis.CommandAsync("KEYS", fixture.Namespace + ":{*")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await L2Fixture.Until(() => fixture.B.L2.PurgesReceived == 1, "B received the purge");
        Assert.Equal(3 - removed, fixture.B.Runtime.Store.Entries);
    }
}
