using System.Net;
using FastGate.Balancing;
using FastGate.Tests.Integration;
using FastGate.Upstreams;
using static FastGate.Tests.Upstreams.UpstreamRuntimeTests;

namespace FastGate.Tests.Upstreams;

/// <summary>An operator's drain of one destination: out of the available sets, its pool emptied, kept across reloads.</summary>
public sealed class DestinationDrainTests : IDisposable
{
    private readonly UpstreamRuntime _runtime = new(Timeout.InfiniteTimeSpan);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void A_drained_destination_leaves_the_available_set_of_every_cluster_listing_it_until_undrained()
    {
        var api = Cluster("api", Port(9001), Port(9002));
        var web = Cluster("web", Port(9002));
        _runtime.Bind([api, web]);
        var shared = api.DestinationStates[1];
        Assert.Same(shared, web.DestinationStates[0]);

        Assert.Equal(DrainResult.Done, _runtime.SetDraining("api", "127.0.0.1:9002", true, out var state));
        Assert.Same(shared, state);
        Assert.True(shared.Draining && shared.AdminDraining && !shared.Retired);
        Assert.Equal([api.DestinationStates[0]], api.State.Available);
        Assert.Empty(web.State.Available);
        Assert.Equal(2, api.State.Members.Length);

        Assert.Equal(DrainResult.Done, _runtime.SetDraining("web", "127.0.0.1:9002", false, out _));
        Assert.False(shared.Draining);
        Assert.Equal(api.DestinationStates, api.State.Available);
        Assert.Equal([shared], web.State.Available);
    }

    [Fact]
    public void Unknown_clusters_and_destinations_are_told_apart_and_a_resolved_address_is_found_too()
    {
        var localhost = new Cluster("api", [new Destination("LocalHost:9001", Port(9001))], RoundRobinBalancer.ConfigName, new ClusterOptions());
        _runtime.Bind([localhost]);
        Assert.Equal(DrainResult.UnknownCluster, _runtime.SetDraining("nope", "localhost:9001", true, out var state));
        Assert.Null(state);
        Assert.Equal(DrainResult.UnknownDestination, _runtime.SetDraining("api", "localhost:9009", true, out state));
        Assert.Null(state);
        Assert.Equal(DrainResult.Done, _runtime.SetDraining("api", "localhost:9001", true, out state));
        Assert.Equal(DrainResult.Done, _runtime.SetDraining("api", "127.0.0.1:9001", false, out var byEndPoint));
        Assert.Same(state, byEndPoint);
        Assert.False(state!.Draining);
    }

    [Fact]
    public void A_drain_survives_reloads_that_keep_the_destination_and_ones_that_change_its_pool_settings()
    {
        _runtime.Bind([Cluster("api", Port(9001), Port(9002))]);
        _runtime.SetDraining("api", "127.0.0.1:9001", true, out var drained);

        var kept = Cluster("api", Port(9002), Port(9001));
        _runtime.Bind([kept]);
        Assert.Same(drained, kept.DestinationStates[1]);
        Assert.True(drained!.AdminDraining);
        Assert.Equal([kept.DestinationStates[0]], kept.State.Available);

        var resized = Cluster("api", new ClusterOptions { MaxConnectionsPerDestination = 7 }, RoundRobinBalancer.ConfigName, Port(9001), Port(9002));
        _runtime.Bind([resized]);
        Assert.NotSame(drained, resized.DestinationStates[0]);
        Assert.True(resized.DestinationStates[0].AdminDraining);
        Assert.False(resized.DestinationStates[1].AdminDraining);
        Assert.Equal([resized.DestinationStates[1]], resized.State.Available);
    }

    [Fact]
    public async Task Draining_closes_the_idle_connections_and_each_one_given_back_and_undraining_pools_again()
    {
        await using var upstream = new ScriptedUpstream(s => s.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        var cluster = Cluster("api", upstream.EndPoint);
        _runtime.Bind([cluster]);
        var pool = cluster.DestinationStates[0].Pool;
        var idle = await pool.RentAsync();
        var inUse = await pool.RentAsync();
        pool.Return(idle);
        Assert.Equal((2, 1), (pool.OpenConnections, pool.IdleConnections));

        _runtime.SetDraining("api", upstream.EndPoint.ToString(), true, out _);
        Assert.Equal((1, 0), (pool.OpenConnections, pool.IdleConnections));
        pool.Return(inUse);
        Assert.Equal((0, 0, 0), (pool.OpenConnections, pool.IdleConnections, pool.LeasedConnections));

        _runtime.SetDraining("api", upstream.EndPoint.ToString(), false, out _);
        var again = await pool.RentAsync();
        pool.Return(again);
        Assert.Equal((1, 1), (pool.OpenConnections, pool.IdleConnections));
    }
}
