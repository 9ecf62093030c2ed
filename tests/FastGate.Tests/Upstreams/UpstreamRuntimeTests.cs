using FastGate.Proxy;
using System.Net;
using FastGate.Balancing;
using FastGate.Tests.Integration;
using FastGate.Upstreams;

namespace FastGate.Tests.Upstreams;

/// <summary>Reconciling the destination registry and cluster states with successive configs.</summary>
public sealed class UpstreamRuntimeTests : IDisposable
{
    private static readonly ExchangeContext Context = new();

    private static readonly ClusterOptions Options = new();
    // Drained destinations are disposed when a test calls DisposeDrained, not by the sweep.
    private readonly UpstreamRuntime _runtime = new(Timeout.InfiniteTimeSpan);

    internal static Cluster Cluster(string name, ClusterOptions options, string balancer, params IPEndPoint[] destinations) =>
        new(name, destinations.Select(d => new Destination(d.ToString(), d)).ToArray(), balancer, options);

    internal static Cluster Cluster(string name, params IPEndPoint[] destinations) =>
        Cluster(name, Options, RoundRobinBalancer.ConfigName, destinations);

    internal static IPEndPoint Port(int port) => new(IPAddress.Loopback, port);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void Unchanged_destination_keeps_its_state_and_pool_across_a_reconcile()
    {
        var first = Cluster("backend", Port(9001), Port(9002));
        Assert.Equal(new BindResult(2, 0), _runtime.Bind([first]));
        var next = Cluster("backend", Port(9002), Port(9001));
        Assert.Equal(new BindResult(0, 0), _runtime.Bind([next]));

        Assert.Same(first.DestinationStates[0], next.DestinationStates[1]);
        Assert.Same(first.DestinationStates[0].Pool, next.DestinationStates[1].Pool);
        Assert.Same(first.DestinationStates[1], next.DestinationStates[0]);
        Assert.Same(first.State, next.State);
        Assert.Equal(next.DestinationStates, next.State.Available);
        Assert.Equal(2, _runtime.Registry.Count);
        Assert.All(next.DestinationStates, d => Assert.False(d.Draining));
    }

    [Fact]
    public async Task Removed_destination_drains_and_its_pool_is_disposed_once_nothing_uses_it()
    {
        var upstreamClosed = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s => upstreamClosed.TrySetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10))));
        var first = Cluster("backend", upstream.EndPoint, Port(9002));
        _runtime.Bind([first]);
        var removed = first.DestinationStates[0];
        var leased = await removed.Pool.RentAsync();
        removed.OnRequestStart();

        var next = Cluster("backend", Port(9002));
        Assert.Equal(new BindResult(0, 1), _runtime.Bind([next]));
        Assert.True(removed.Draining);
        Assert.DoesNotContain(removed, next.State.Available);
        Assert.DoesNotContain(removed, first.State.Available); // the older snapshot's cluster shares the state

        Assert.Equal(0, _runtime.Registry.DisposeDrained()); // a request in flight, a connection leased
        removed.OnRequestEnd();
        Assert.Equal(0, _runtime.Registry.DisposeDrained()); // the connection is still leased
        removed.Pool.Return(leased);
        Assert.Equal(1, removed.Pool.IdleConnections);
        Assert.Equal(1, _runtime.Registry.DisposeDrained());

        Assert.True(removed.Pool.IsDisposed);
        Assert.Equal(0, removed.Pool.OpenConnections);
        Assert.True(await upstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the pooled connection was not closed");
        Assert.False(_runtime.Registry.TryGet(removed.Key, out _));
        Assert.Equal(1, _runtime.Registry.Count);
    }

    [Fact]
    public async Task The_drain_sweep_disposes_a_drained_pool_on_its_own()
    {
        await using var upstream = ScriptedUpstream.Ok();
        using var runtime = new UpstreamRuntime();
        var first = Cluster("backend", upstream.EndPoint);
        runtime.Bind([first]);
        var pool = first.DestinationStates[0].Pool;
        pool.Return(await pool.RentAsync());

        runtime.Bind([Cluster("other", Port(9002))]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        // IsDisposed is set before the idle connections are closed, on the sweep's thread: wait for both.
        while ((!pool.IsDisposed || pool.OpenConnections != 0) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(pool.IsDisposed, $"not disposed {UpstreamRuntime.DrainSweepPeriod} after draining");
        Assert.Equal(0, pool.OpenConnections);
    }

    [Fact]
    public async Task A_disposed_pool_still_serves_a_late_request_and_closes_that_connection()
    {
        // A request may pick a destination just before a reload removes it and rent after the pool was disposed.
        var closed = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s => closed.TrySetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10))));
        var state = new DestinationState(new Destination(upstream.EndPoint.ToString(), upstream.EndPoint), Options);
        state.Pool.Dispose();

        var late = await state.Pool.RentAsync();
        state.Pool.Return(late);

        Assert.Equal(0, state.Pool.IdleConnections);
        Assert.Equal(0, state.Pool.OpenConnections);
        Assert.True(await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the late connection was kept");
    }

    [Theory]
    [InlineData("max_connections")]
    [InlineData("max_idle_connections")]
    public void Changed_pool_setting_gives_a_new_pool_and_the_old_one_drains(string setting)
    {
        var first = Cluster("backend", Port(9001));
        _runtime.Bind([first]);
        var changed = setting == "max_connections"
            ? Options with { MaxConnectionsPerDestination = 8 }
            : Options with { MaxIdleConnectionsPerDestination = 2 };
        var next = Cluster("backend", changed, RoundRobinBalancer.ConfigName, Port(9001));
        Assert.Equal(new BindResult(1, 1), _runtime.Bind([next]));

        Assert.NotSame(first.DestinationStates[0], next.DestinationStates[0]);
        Assert.NotSame(first.DestinationStates[0].Pool, next.DestinationStates[0].Pool);
        Assert.True(first.DestinationStates[0].Draining);
        Assert.Equal(1, _runtime.Registry.DisposeDrained());
        Assert.True(first.DestinationStates[0].Pool.IsDisposed);
        Assert.Equal([next.DestinationStates[0]], next.State.Available);
    }

    [Fact]
    public void Changed_response_timeout_keeps_the_pool()
    {
        var first = Cluster("backend", Port(9001));
        _runtime.Bind([first]);
        var next = Cluster("backend", Options with { ResponseTimeout = TimeSpan.FromSeconds(1) }, RoundRobinBalancer.ConfigName, Port(9001));
        Assert.Equal(new BindResult(0, 0), _runtime.Bind([next]));
        Assert.Same(first.DestinationStates[0], next.DestinationStates[0]);
    }

    [Fact]
    public void A_destination_listed_by_two_clusters_has_one_state()
    {
        var a = Cluster("a", Port(9001));
        var b = Cluster("b", Port(9001), Port(9002));
        Assert.Equal(new BindResult(2, 0), _runtime.Bind([a, b]));
        Assert.Same(a.DestinationStates[0], b.DestinationStates[0]);

        // Dropping it from one cluster does not drain it while the other still lists it.
        Assert.Equal(new BindResult(0, 0), _runtime.Bind([Cluster("a", Port(9002)), Cluster("b", Port(9001), Port(9002))]));
        Assert.False(a.DestinationStates[0].Draining);
    }

    [Fact]
    public void A_destination_listed_again_before_it_was_disposed_is_revived()
    {
        var first = Cluster("backend", Port(9001));
        _runtime.Bind([first]);
        var state = first.DestinationStates[0];
        state.OnRequestStart(); // keeps it from being disposed
        Assert.Equal(new BindResult(1, 1), _runtime.Bind([Cluster("backend", Port(9002))]));
        Assert.True(state.Draining);

        var again = Cluster("backend", Port(9001));
        Assert.Equal(new BindResult(1, 1), _runtime.Bind([again]));
        Assert.Same(state, again.DestinationStates[0]);
        Assert.False(state.Draining);
        state.OnRequestEnd();
        Assert.Equal(1, _runtime.Registry.DisposeDrained()); // only 9002
        Assert.False(state.Pool.IsDisposed);
    }

    [Fact]
    public void Balancer_is_kept_while_its_name_is_unchanged_and_replaced_when_it_changes()
    {
        var first = Cluster("backend", Port(9001), Port(9002));
        _runtime.Bind([first]);
        var balancer = first.State.Balancer;
        var picked = first.State.Balancer.Pick(Context, first.State.Available);

        var same = Cluster("backend", Port(9001), Port(9002));
        _runtime.Bind([same]);
        Assert.Same(balancer, same.State.Balancer);
        Assert.NotSame(picked, same.State.Balancer.Pick(Context, same.State.Available)); // the round-robin cursor carried on

        var changed = Cluster("backend", Options, LeastConnectionsBalancer.ConfigName, Port(9001), Port(9002));
        _runtime.Bind([changed]);
        Assert.IsType<LeastConnectionsBalancer>(changed.State.Balancer);
        Assert.Same(changed.State, first.State);
    }

    [Fact]
    public void A_removed_cluster_keeps_what_older_snapshots_route_to_and_a_new_one_of_that_name_starts_fresh()
    {
        var first = Cluster("gone", Port(9001));
        _runtime.Bind([first]);
        _runtime.Bind([Cluster("other", Port(9002))]);
        Assert.False(_runtime.TryGetCluster("gone", out _));
        Assert.Equal(first.DestinationStates, first.State.Available);

        var back = Cluster("gone", Port(9003));
        _runtime.Bind([back]);
        Assert.NotSame(first.State, back.State);
    }

    [Fact]
    public void A_cluster_is_bound_once()
    {
        var cluster = Cluster("backend", Port(9001));
        _runtime.Bind([cluster]);
        Assert.Throws<InvalidOperationException>(() => _runtime.Bind([cluster]));
        Assert.Throws<InvalidOperationException>(() => Cluster("unbound", Port(9001)).State);
    }
}
