using System.Net;
using FastGate.Health;
using FastGate.Tests.Discovery;
using FastGate.Upstreams;

namespace FastGate.Tests.Health;

/// <summary>Probers follow a cluster's members when a DNS refresh changes them, as they do across a reload.</summary>
public sealed class HealthAfterDnsRefreshTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1"), B = IPAddress.Parse("10.0.0.2"), C = IPAddress.Parse("10.0.0.3");
    private readonly ScriptedHostResolver _resolver = new();
    private readonly UpstreamRuntime _runtime;

    public HealthAfterDnsRefreshTests() => _runtime = new(Timeout.InfiniteTimeSpan, _resolver);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task A_new_address_is_probed_and_slow_started_a_gone_one_stops_being_probed_and_an_unchanged_one_keeps_its_prober()
    {
        // Probes of 10.0.0.x only time out, an hour apart: what matters here is which destinations have a prober.
        var policy = new HealthCheckPolicy { Interval = TimeSpan.FromHours(1), Jitter = TimeSpan.Zero, SlowStart = TimeSpan.FromMinutes(1) };
        var cluster = DnsMembersTests.ClusterOf(TimeSpan.FromHours(1), DnsMembersTests.Named("api.test:8080", 1, DateTime.UtcNow, A, B));
        cluster = new Cluster(cluster.Name, cluster.Destinations, cluster.BalancerName, cluster.Options) { DnsRefresh = cluster.DnsRefresh, Health = policy };
        _runtime.Bind([cluster]);
        var (a, b) = (cluster.State.Members[0], cluster.State.Members[1]);
        var proberOfB = _runtime.Health.ProberOf(b);
        Assert.NotNull(_runtime.Health.ProberOf(a));
        Assert.False(b.SlowStart.IsRamping);

        _resolver.Answer(C, B);
        await cluster.State.Resolver!.RefreshAsync();

        var c = cluster.State.Members[1];
        Assert.Equal("10.0.0.3:8080", c.Config.Name);
        Assert.Null(_runtime.Health.ProberOf(a));
        Assert.Same(proberOfB, _runtime.Health.ProberOf(b));
        Assert.NotNull(_runtime.Health.ProberOf(c));
        Assert.Equal(("backend", policy), (c.Health!.Cluster, c.Health.Policy));
        Assert.True(c.SlowStart.IsRamping);
        Assert.False(b.SlowStart.IsRamping);
        Assert.Equal(2, _runtime.Health.Count);
    }
}
