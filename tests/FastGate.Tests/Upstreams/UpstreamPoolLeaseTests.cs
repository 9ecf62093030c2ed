using FastGate.Tests.Integration;
using FastGate.Upstreams;

namespace FastGate.Tests.Upstreams;

/// <summary>
/// The pool's connection limit (its lock-free leases and the hand-off to rents that wait), against a real upstream
/// socket: never more leased than the limit, a waiter gets the connection given back, and no lease is ever lost.
/// </summary>
public sealed class UpstreamPoolLeaseTests : IAsyncLifetime
{
    private readonly ScriptedUpstream _upstream = new(s => s.WaitForCloseAsync(TimeSpan.FromSeconds(30)));

    private DestinationState Destination(int limit, TimeSpan connectTimeout)
    {
        var options = new ClusterOptions { MaxConnectionsPerDestination = limit, ConnectTimeout = connectTimeout };
        return new DestinationState(new Destination("test", _upstream.EndPoint), options);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task A_rent_past_the_limit_waits_and_gets_the_connection_given_back()
    {
        var destination = Destination(2, TimeSpan.FromSeconds(10));
        var pool = destination.Pool;
        var first = await pool.RentAsync();
        var second = await pool.RentAsync();
        var third = pool.RentAsync().AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, pool.LeasedConnections);

        pool.Return(first);
        var handedOver = await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(first, handedOver);
        Assert.Equal(2, pool.LeasedConnections);
        pool.Return(second);
        pool.Return(handedOver);
        Assert.Equal(0, pool.LeasedConnections);
        pool.Dispose();
    }

    [Fact]
    public async Task A_rent_that_times_out_waiting_loses_no_lease()
    {
        var destination = Destination(1, TimeSpan.FromMilliseconds(200));
        var pool = destination.Pool;
        var only = await pool.RentAsync();
        var error = await Assert.ThrowsAsync<UpstreamConnectException>(async () => await pool.RentAsync());
        Assert.True(error.TimedOut);

        pool.Return(only);
        Assert.Equal(0, pool.LeasedConnections);
        var again = await pool.RentAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, pool.LeasedConnections);
        pool.Discard(again);
        Assert.Equal(0, pool.LeasedConnections);
        pool.Dispose();
    }

    [Fact]
    public async Task Rents_and_returns_racing_on_many_threads_never_exceed_the_limit_and_end_with_every_lease_back()
    {
        const int limit = 3;
        var destination = Destination(limit, TimeSpan.FromSeconds(20));
        var pool = destination.Pool;
        var held = 0;
        var most = 0;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var connection = await pool.RentAsync();
                var now = Interlocked.Increment(ref held);
                int seen;
                while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                if (i % 3 == 0) await Task.Yield();
                Interlocked.Decrement(ref held);
                if (i % 50 == 49) pool.Discard(connection);
                else pool.Return(connection);
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(most, 1, limit);
        Assert.Equal(0, pool.LeasedConnections);
        // Every lease is back: the limit's worth can be rented at once, and one more has to wait.
        var all = new List<UpstreamConnection>();
        for (var i = 0; i < limit; i++) all.Add(await pool.RentAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        var extra = pool.RentAsync().AsTask();
        await Task.Delay(100);
        Assert.False(extra.IsCompleted);
        pool.Return(all[0]);
        all[0] = await extra.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var connection in all) pool.Return(connection);
        pool.Dispose();
    }
}
