using System.Net;
using FastGate.Balancing;
using FastGate.Health;
using FastGate.Proxy;
using FastGate.Upstreams;
using static FastGate.Tests.Health.HealthCheckTests;

namespace FastGate.Tests.Health;

/// <summary>Slow start: a recovered or newly added destination's share ramps up linearly, in every balancer, with picks still 0 B.</summary>
public sealed class SlowStartTests : IDisposable
{
    private const int Picks = 20_000;
    private static readonly ExchangeContext[] Clients =
        [.. Enumerable.Range(0, 4_000).Select(i => FastGate.Tests.Balancing.WeightedAndHashingBalancerTests.From($"10.{i / 250}.{i % 250}.7"))];

    private readonly UpstreamRuntime _runtime = new(Timeout.InfiniteTimeSpan);

    public void Dispose() => _runtime.Dispose();

    private DestinationState[] Two()
    {
        var cluster = Probed("api", null, new IPEndPoint(IPAddress.Loopback, 9001), new IPEndPoint(IPAddress.Loopback, 9002));
        _runtime.Bind([cluster]);
        return cluster.State.Available;
    }

    /// <summary>The share of picks that went to <paramref name="target"/>.</summary>
    private static double Share(IBalancer balancer, DestinationState[] available, DestinationState target, int picks = Picks)
    {
        var hits = 0;
        for (var i = 0; i < picks; i++)
            if (balancer.Pick(Clients[i % Clients.Length], available) == target) hits++;
        return (double)hits / picks;
    }

    /// <summary>
    /// At the ramp's start (factor 0.1): weight-scaling balancers give 0.1 / 1.1 of the picks, power-of-two-choices
    /// ones 0.1 of their half; once the ramp ends, half.
    /// </summary>
    [Theory]
    [InlineData("round_robin", 0.1 / 1.1)]
    [InlineData("random", 0.1 / 1.1)]
    [InlineData("weighted_round_robin", 0.1 / 1.1)]
    [InlineData("ip_hash", 0.1 / 1.1)]
    [InlineData("least_connections", 0.05)]
    [InlineData("peak_ewma", 0.05)]
    public void Every_balancer_gives_a_destination_starting_its_ramp_a_tenth_of_its_share_and_allocates_nothing(string name, double expected)
    {
        var d = Two();
        var balancer = BalancerFactory.Create(name);
        d[1].SlowStart.Begin(TimeSpan.FromHours(1));
        Assert.InRange(Share(balancer, d, d[1]), expected - 0.02, expected + 0.02);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Share(balancer, d, d[1], 10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        d[1].SlowStart.Reset();
        Assert.InRange(Share(balancer, d, d[1]), 0.46, 0.54);
    }

    [Fact]
    public async Task A_destination_that_recovers_ramps_its_share_up_linearly_over_slow_start()
    {
        await using var a = new HealthEndpoint();
        await using var b = new HealthEndpoint();
        var slowStart = TimeSpan.FromSeconds(5);
        var cluster = Probed("api", Fast with { HealthyThreshold = 1, UnhealthyThreshold = 2, Timeout = TimeSpan.FromSeconds(2), SlowStart = slowStart }, a.EndPoint, b.EndPoint);
        _runtime.Bind([cluster]);
        var recovering = cluster.DestinationStates[1];
        Assert.False(recovering.SlowStart.IsRamping); // the first config: nothing ramps
        b.Default = (503, "");
        await Until(() => recovering.Down == DownReasons.Unhealthy, "b unhealthy");
        Assert.Single(cluster.State.Available);

        var recovered = new TaskCompletionSource<DateTime>();
        _runtime.Health.Transitioned += t =>
        {
            if (t.To == HealthStatus.Healthy) recovered.TrySetResult(DateTime.UtcNow);
        };
        b.Default = (200, "ok");
        var since = await recovered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var balancer = cluster.State.Balancer;
        var samples = new List<(double Elapsed, double Factor, double Share)>();
        while (true)
        {
            var factorBefore = recovering.SlowStart.Factor();
            var share = Share(balancer, cluster.State.Available, recovering, 5_000);
            var factorAfter = recovering.SlowStart.Factor();
            var elapsed = (DateTime.UtcNow - since).TotalSeconds;
            // round_robin skips with probability 1 - factor: a weight of factor against 1.
            Assert.True(share >= factorBefore / (1 + factorBefore) - 0.03 && share <= factorAfter / (1 + factorAfter) + 0.03,
                $"share {share} at factor {factorBefore}-{factorAfter}; a's checks: {string.Join(", ", cluster.DestinationStates[0].Health!.History.ToArray())}");
            Assert.InRange(factorAfter, 0.1, Math.Max(0.1, elapsed / slowStart.TotalSeconds) + 0.05);
            samples.Add((elapsed, factorAfter, share));
            if (factorBefore == 1) break;
            await Task.Delay(100);
        }
        Assert.InRange(samples[^1].Share, 0.47, 0.53);
        Assert.Contains(samples, s => s.Share < 0.25);
        Assert.True(samples.Exists(s => s.Share is > 0.25 and < 0.45), string.Join(", ", samples));
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.Second.Factor >= p.First.Factor), "the factor only grows");
    }

    [Fact]
    public async Task A_destination_added_to_a_running_cluster_starts_in_slow_start_and_the_others_do_not()
    {
        await using var a = new HealthEndpoint();
        await using var b = new HealthEndpoint();
        var policy = Fast with { SlowStart = TimeSpan.FromMinutes(1) };
        var first = Probed("api", policy, a.EndPoint);
        _runtime.Bind([first]);
        var both = Probed("api", policy, a.EndPoint, b.EndPoint);
        _runtime.Bind([both]);
        Assert.False(both.DestinationStates[0].SlowStart.IsRamping);
        Assert.True(both.DestinationStates[1].SlowStart.IsRamping);
        Assert.InRange(both.DestinationStates[1].SlowStart.Factor(), 0.1, 0.11);
        Assert.Equal(2, both.State.Available.Length);
    }
}
