using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using FastGate.Balancing;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Tests.Balancing;

/// <summary>weighted_round_robin, ip_hash, random and peak_ewma.</summary>
public sealed class WeightedAndHashingBalancerTests : IDisposable
{
    private readonly List<DestinationState> _states = [];

    private DestinationState[] Destinations(params int[] weights)
    {
        var states = weights.Select((w, i) => new DestinationState(
            new Destination($"10.0.0.{i + 1}:8080", new IPEndPoint(IPAddress.Parse($"10.0.0.{i + 1}"), 8080), w), new ClusterOptions())).ToArray();
        _states.AddRange(states);
        return states;
    }

    public void Dispose()
    {
        foreach (var state in _states) state.Pool.Dispose();
    }

    /// <summary>An exchange from <paramref name="client"/>, with the request's X-Forwarded-For when given.</summary>
    internal static ExchangeContext From(string client, string? forwardedFor = null, bool trusted = false)
    {
        var context = new ExchangeContext();
        var trustedProxies = trusted ? new[] { IPNetwork.Parse(client + "/32") } : [];
        context.Bind(null!, null!, null!, null!, new ClientInfo(new IPEndPoint(IPAddress.Parse(client), 40000), false, trustedProxies), []);
        var head = "GET / HTTP/1.1\r\nHost: a\r\n" + (forwardedFor is null ? "" : $"X-Forwarded-For: {forwardedFor}\r\n") + "\r\n";
        var status = context.RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(head)), context.Request, HttpLimits.Default, out _, out _);
        Assert.Equal(ParseStatus.Complete, status);
        return context;
    }

    private static readonly ExchangeContext Anyone = From("192.0.2.1");

    [Fact]
    public void Weighted_round_robin_interleaves_as_nginx_does()
    {
        var d = Destinations(5, 1, 1);
        var balancer = new WeightedRoundRobinBalancer();
        var picks = Enumerable.Range(0, 14).Select(_ => Array.IndexOf(d, balancer.Pick(Anyone, d))).ToArray();
        Assert.Equal([0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0], picks);
    }

    [Fact]
    public void Weighted_round_robin_gives_each_its_share_across_threads_and_follows_a_new_available_set()
    {
        var d = Destinations(3, 2, 1);
        var balancer = new WeightedRoundRobinBalancer();
        var counts = new int[3];
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 6_000; i++) Interlocked.Increment(ref counts[Array.IndexOf(d, balancer.Pick(Anyone, d))]);
        });
        Assert.Equal([12_000, 8_000, 4_000], counts);

        var withoutFirst = d[1..];
        var picks = Enumerable.Range(0, 30).Select(_ => balancer.Pick(Anyone, withoutFirst)).ToList();
        Assert.Equal((20, 10), (picks.Count(p => p == d[1]), picks.Count(p => p == d[2])));
    }

    [Fact]
    public void Weighted_round_robin_scales_huge_weights_down_and_keeps_the_ratio()
    {
        var d = Destinations(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1);
        var balancer = new WeightedRoundRobinBalancer();
        var counts = new int[d.Length];
        for (var i = 0; i < 170_010; i++) counts[Array.IndexOf(d, balancer.Pick(Anyone, d))]++;
        Assert.All(counts[..^1], c => Assert.InRange(c, 9_900, 10_100));
        Assert.InRange(counts[^1], 1, 30);
    }

    [Fact]
    public void Ip_hash_sends_a_client_to_one_destination_and_spreads_clients_evenly()
    {
        var d = Destinations(1, 1, 1, 1, 1);
        var balancer = new IpHashBalancer();
        var client = From("198.51.100.7");
        var first = balancer.Pick(client, d);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Same(first, balancer.Pick(client, d)));

        var counts = new int[5];
        for (var i = 0; i < 5_000; i++) counts[Array.IndexOf(d, balancer.Pick(From($"10.{i / 250}.{i % 250}.9"), d))]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1_150));
    }

    [Fact]
    public void Ip_hash_moves_only_the_clients_of_a_removed_destination()
    {
        var d = Destinations(1, 1, 1, 1, 1);
        var balancer = new IpHashBalancer();
        var clients = Enumerable.Range(0, 2_000).Select(i => From($"172.16.{i / 200}.{i % 200 + 1}")).ToList();
        var before = clients.Select(c => balancer.Pick(c, d)).ToList();
        var fewer = d.Where(x => x != d[2]).ToArray();
        var after = clients.Select(c => balancer.Pick(c, fewer)).ToList();
        var moved = Enumerable.Range(0, clients.Count).Count(i => before[i] != after[i]);
        Assert.Equal(before.Count(b => b == d[2]), moved); // exactly the removed one's clients, about 1/5
        Assert.InRange(moved, 300, 500);
        Assert.All(Enumerable.Range(0, clients.Count).Where(i => before[i] != d[2]), i => Assert.Same(before[i], after[i]));
    }

    [Fact]
    public void Ip_hash_honours_weights()
    {
        var d = Destinations(3, 1);
        var balancer = new IpHashBalancer();
        var heavy = Enumerable.Range(0, 4_000).Count(i => balancer.Pick(From($"10.9.{i / 250}.{i % 250 + 1}"), d) == d[0]);
        Assert.InRange(heavy, 2_800, 3_200);
    }

    [Fact]
    public void Ip_hash_takes_the_client_a_trusted_proxy_names_and_ignores_an_untrusted_ones_claim()
    {
        var d = Destinations(1, 1, 1, 1, 1, 1, 1, 1);
        var balancer = new IpHashBalancer();
        var direct = From("203.0.113.50");
        var viaProxy = From("10.1.1.1", "198.18.0.1, 203.0.113.50", trusted: true);
        Assert.Equal("203.0.113.50", Encoding.ASCII.GetString(viaProxy.ClientAddress));
        Assert.Same(balancer.Pick(direct, d), balancer.Pick(viaProxy, d));
        var forged = From("10.1.1.1", "203.0.113.50");
        Assert.Equal("10.1.1.1", Encoding.ASCII.GetString(forged.ClientAddress));
    }

    [Fact]
    public void Random_reaches_every_destination_about_equally()
    {
        var d = Destinations(1, 1, 1, 1);
        var balancer = new RandomBalancer();
        var counts = new int[4];
        for (var i = 0; i < 40_000; i++) counts[Array.IndexOf(d, balancer.Pick(Anyone, d))]++;
        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
        Assert.Null(balancer.Pick(Anyone, []));
    }

    [Fact]
    public void Peak_ewma_sends_less_to_a_slow_destination_and_tries_it_again_as_its_latency_decays()
    {
        var d = Destinations(1, 1);
        var balancer = new PeakEwmaBalancer();
        var now = Stopwatch.GetTimestamp();
        d[0].Latency.Observe(1_000, now);
        d[1].Latency.Observe(50_000, now);
        var fast = Enumerable.Range(0, 1_000).Count(_ => balancer.Pick(Anyone, d) == d[0]);
        Assert.Equal(1_000, fast); // with two, both are always compared

        // A minute later (six time constants) the slow one's average has decayed below the fast one's last value.
        var later = now + 60 * Stopwatch.Frequency;
        Assert.InRange(d[1].Latency.Decayed(later), 50_000 * Math.Exp(-6) * 0.99, 50_000 * Math.Exp(-6) * 1.01);
        Assert.True(d[1].Latency.Decayed(later) < 1_000);
    }

    [Fact]
    public void Peak_ewma_weighs_in_flight_requests()
    {
        var d = Destinations(1, 1);
        var balancer = new PeakEwmaBalancer();
        var now = Stopwatch.GetTimestamp();
        d[0].Latency.Observe(1_000, now);
        d[1].Latency.Observe(1_500, now);
        for (var i = 0; i < 3; i++) d[0].OnRequestStart(); // 1 000 x 4 > 1 500 x 1
        Assert.Same(d[1], balancer.Pick(Anyone, d));
        for (var i = 0; i < 3; i++) d[0].OnRequestEnd();
        Assert.Same(d[0], balancer.Pick(Anyone, d));
    }

    [Fact]
    public void The_ewma_jumps_to_a_peak_and_comes_down_slowly()
    {
        var ewma = new LatencyEwma();
        var t = Stopwatch.GetTimestamp();
        Assert.Equal(0, ewma.Decayed(t));
        ewma.Observe(100, t);
        ewma.Observe(10_000, t + 1);
        Assert.Equal(10_000, ewma.Decayed(t + 1), 1);
        // One fast answer a second later pulls it down by about 1 - e^-0.1 of the gap, not to 100.
        var second = t + 1 + Stopwatch.Frequency;
        ewma.Observe(100, second);
        Assert.InRange(ewma.Decayed(second), 8_000, 9_000);
    }
}
