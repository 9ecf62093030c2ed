using FastGate.Upstreams;
using static FastGate.Tests.Upstreams.UpstreamRuntimeTests;

namespace FastGate.Tests.Upstreams;

/// <summary>A destination marked down (health, ejection, breaker) leaves the available sets at once; <c>panic_threshold</c> brings all back.</summary>
public sealed class DestinationDownTests : IDisposable
{
    private readonly UpstreamRuntime _runtime = new(Timeout.InfiniteTimeSpan);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void A_destination_down_for_any_reason_is_out_of_every_cluster_listing_it_until_every_reason_clears()
    {
        var api = Cluster("api", Port(9001), Port(9002));
        var web = Cluster("web", Port(9002));
        _runtime.Bind([api, web]);
        var shared = api.DestinationStates[1];

        Assert.True(shared.SetDown(DownReasons.Unhealthy, true));
        Assert.False(shared.SetDown(DownReasons.Unhealthy, true)); // no change, no rebuild
        Assert.True(shared.SetDown(DownReasons.BreakerOpen, true));
        Assert.Equal(DownReasons.Unhealthy | DownReasons.BreakerOpen, shared.Down);
        Assert.Equal([api.DestinationStates[0]], api.State.Available);
        Assert.Empty(web.State.Available);

        Assert.True(shared.SetDown(DownReasons.Unhealthy, false));
        Assert.Empty(web.State.Available);
        Assert.True(shared.SetDown(DownReasons.BreakerOpen, false));
        Assert.Equal(api.DestinationStates, api.State.Available);
        Assert.Equal([shared], web.State.Available);
    }

    [Fact]
    public void Below_the_panic_threshold_every_non_draining_member_is_used_and_at_zero_none_is()
    {
        var four = Cluster("api", Port(9001), Port(9002), Port(9003), Port(9004));
        var panicky = new Cluster(four.Name, four.Destinations, four.BalancerName, four.Options) { PanicThreshold = 50 };
        var strict = Cluster("web", Port(9005), Port(9006));
        _runtime.Bind([panicky, strict]);
        var members = panicky.DestinationStates;

        members[0].SetDown(DownReasons.Ejected, true);
        Assert.Equal(3, panicky.State.Available.Length); // 75 % up: above 50 %
        Assert.False(panicky.State.Panicking);
        members[1].SetDown(DownReasons.Unhealthy, true);
        Assert.Equal([members[2], members[3]], panicky.State.Available); // 50 %: not below
        members[2].SetDown(DownReasons.BreakerOpen, true);
        Assert.True(panicky.State.Panicking); // 25 %: all four
        Assert.Equal(members, panicky.State.Available);
        _runtime.SetDraining("api", "127.0.0.1:9004", true, out _);
        Assert.Equal([members[0], members[1], members[2]], panicky.State.Available); // a drained one stays out even in panic

        foreach (var d in strict.DestinationStates) d.SetDown(DownReasons.Unhealthy, true);
        Assert.Empty(strict.State.Available);
        Assert.False(strict.State.Panicking);
    }
}
