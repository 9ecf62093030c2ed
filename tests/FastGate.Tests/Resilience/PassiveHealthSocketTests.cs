using FastGate.Resilience;
using FastGate.Tests.Integration;
using FastGate.Upstreams;

namespace FastGate.Tests.Resilience;

/// <summary>
/// Outlier detection and the circuit breaker in the real exchange, over real sockets: the gateway in process on
/// Kestrel with the transport under test, scripted upstreams, and a manual clock for the timers.
/// </summary>
public sealed class PassiveHealthSocketTests
{
    private readonly ManualTimeProvider _clock = new();

    private static async Task<HttpResponse> GetAsync(TestGateway gateway)
    {
        using var client = gateway.Connect();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    /// <summary>
    /// Requests one after another, each after the last has ended at the gateway too: an attempt is judged once its
    /// response has been relayed, so without the wait the next request could overtake the judgement.
    /// </summary>
    private static async Task<List<int>> StatusesAsync(TestGateway gateway, int count)
    {
        var statuses = new List<int>();
        for (var i = 0; i < count; i++)
        {
            statuses.Add((await GetAsync(gateway)).Status);
            await WaitForAsync(() => gateway.Destinations.All(d => d.InFlight == 0));
        }
        return statuses;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_destination_answering_5xx_is_ejected_after_exactly_consecutive_failures_and_returns_when_its_time_is_up()
    {
        await using var sick = new SwitchableUpstream { Status = 500 };
        await using var well = new SwitchableUpstream();
        await using var gateway = await TestGateway.StartAsync([sick.EndPoint, well.EndPoint], time: _clock,
            cluster: c => new Cluster(c.Name, c.Destinations, c.BalancerName, c.Options) { Outlier = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 50) });

        var statuses = await StatusesAsync(gateway, 20);
        // Round robin alternates until the third 500, then only the healthy one answers.
        Assert.Equal([500, 200, 500, 200, 500, .. Enumerable.Repeat(200, 15)], statuses);
        Assert.Equal((3, 17), (sick.Requests, well.Requests)); // each request answered once, by one upstream
        Assert.Equal(DownReasons.Ejected, gateway.Destinations[0].Down);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(gateway.Destinations[0].IsUp);
        sick.Status = 200;
        Assert.All(await StatusesAsync(gateway, 4), s => Assert.Equal(200, s));
        Assert.Equal(5, sick.Requests);
    }

    [Fact]
    public async Task The_breaker_opens_answers_fast_503s_with_retry_after_then_admits_only_its_trials_and_closes_or_reopens()
    {
        await using var upstream = new SwitchableUpstream { Status = 503 };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], time: _clock,
            cluster: c => new Cluster(c.Name, c.Destinations, c.BalancerName, c.Options) { CircuitBreaker = new(50, TimeSpan.FromSeconds(10), 4, TimeSpan.FromSeconds(5), 2) });
        var breaker = BreakerRetryAfter.BreakerOf(gateway.Destinations[0])!;

        Assert.Equal([503, 503, 503, 503], await StatusesAsync(gateway, 4)); // the upstream's own 503s, relayed
        Assert.Equal(CircuitState.Open, breaker.State);
        var fast = await GetAsync(gateway);
        Assert.Equal(503, fast.Status);
        Assert.InRange(int.Parse(fast.Header("Retry-After")!), 1, 5); // open_duration from the opening, in real time (the unit test pins it)
        Assert.Equal(4, upstream.Requests); // the fast one never reached it

        // Half-open: two trials are admitted and held; a third request finds no destination that admits it.
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        upstream.Status = 200;
        upstream.Hold();
        var trials = new[] { GetAsync(gateway), GetAsync(gateway) };
        await WaitForAsync(() => upstream.Requests == 6);
        var refused = await GetAsync(gateway);
        Assert.Equal((503, "1"), (refused.Status, refused.Header("Retry-After")));
        upstream.Release();
        Assert.All(await Task.WhenAll(trials), r => Assert.Equal(200, r.Status));
        await WaitForAsync(() => gateway.Destinations.All(d => d.InFlight == 0)); // judged after the client has its answer
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal([200, 200, 200], await StatusesAsync(gateway, 3));

        // Open again; this time the first trial fails and it reopens.
        upstream.Status = 500;
        Assert.Equal([500, 500], await StatusesAsync(gateway, 2)); // 2 of 5 since it closed
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal([500], await StatusesAsync(gateway, 1)); // 3 of 6: 50 %
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([500], await StatusesAsync(gateway, 1));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(503, (await GetAsync(gateway)).Status);
        Assert.Equal(13, upstream.Requests);
        Assert.Equal((2L, 2L, 1L), (breaker.TransitionsTo(CircuitState.Open) - 1, breaker.TransitionsTo(CircuitState.HalfOpen), breaker.TransitionsTo(CircuitState.Closed)));
    }

    [Fact]
    public async Task Under_concurrent_load_every_request_is_answered_once_and_sent_once_while_the_sick_destination_is_ejected()
    {
        await using var sick = new SwitchableUpstream { Status = 500 };
        await using var first = new SwitchableUpstream();
        await using var second = new SwitchableUpstream();
        await using var gateway = await TestGateway.StartAsync([sick.EndPoint, first.EndPoint, second.EndPoint], time: _clock,
            cluster: c => new Cluster(c.Name, c.Destinations, c.BalancerName, c.Options)
            {
                Outlier = new(3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 50),
                CircuitBreaker = new(50, TimeSpan.FromSeconds(10), 20, TimeSpan.FromSeconds(30), 3),
            });
        const int clients = 8, each = 50;

        var statuses = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var client = gateway.Connect();
            var mine = new List<int>();
            for (var i = 0; i < each; i++)
            {
                client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
                mine.Add((await client.ReadResponseAsync()).Status);
            }
            return mine;
        })));

        var all = statuses.SelectMany(s => s).ToList();
        Assert.Equal(clients * each, all.Count);
        Assert.All(all, s => Assert.Contains(s, new[] { 200, 500 }));
        Assert.Equal(all.Count, sick.Requests + first.Requests + second.Requests); // each sent to exactly one upstream, once
        Assert.Equal(sick.Requests, all.Count(s => s == 500));
        Assert.InRange(sick.Requests, 3, 3 + clients); // ejected at the third failure; at most the ones already on their way after it
        Assert.Equal(DownReasons.Ejected, gateway.Destinations[0].Down);
        Assert.Equal(1, gateway.Snapshot.Clusters["backend"].State.Ejections.Max); // 50 % of 3, rounded down
    }
}
