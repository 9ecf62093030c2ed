using System.Net;
using FastGate.Upstreams;

namespace FastGate.Tests.Integration;

/// <summary>How the upstream pool keeps idle connections, seen from the upstream's side of the sockets.</summary>
public class IdlePoolTests
{
    [Fact]
    public async Task TheConnectionReturnedLastIsRentedNext()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new ScriptedUpstream(async s =>
        {
            var port = ((IPEndPoint)s.Socket.RemoteEndPoint!).Port;
            while (await s.ReadRequestAsync() is { } request)
            {
                if (request.Target == "/hold") await release.Task;
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Port: {port}\r\n\r\n");
            }
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        var pool = gateway.Destinations[0].Pool;
        using var holding = gateway.Connect();
        using var quick = gateway.Connect();

        // Two upstream connections: the held one stays leased while the quick one opens, answers and goes idle first.
        holding.Send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
        await WaitUntilAsync(() => upstream.AcceptedConnections == 1);
        quick.Send("GET /quick HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = (await quick.ReadResponseAsync()).Header("X-Port");
        await WaitUntilAsync(() => pool.IdleConnections == 1); // the client may see the answer before the return
        release.SetResult();
        var last = (await holding.ReadResponseAsync()).Header("X-Port");
        await WaitUntilAsync(() => pool.IdleConnections == 2);
        Assert.NotEqual(first, last);

        for (var i = 0; i < 3; i++)
        {
            quick.Send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(last, (await quick.ReadResponseAsync()).Header("X-Port"));
        }
        Assert.Equal(2, upstream.AcceptedConnections);
    }

    /// <summary>A burst makes as many upstream connections as requests; only the cap's worth stay open afterwards.</summary>
    [Theory]
    [InlineData(3, 8)]
    [InlineData(0, 4)]
    public async Task AfterABurstOnlyTheIdleCapStaysOpenAtTheUpstream(int cap, int burst)
    {
        var arrived = 0;
        var open = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new ScriptedUpstream(async s =>
        {
            Interlocked.Increment(ref open);
            try
            {
                while (await s.ReadRequestAsync() is not null)
                {
                    // Every request waits for the whole burst, so none can reuse another's connection.
                    if (Interlocked.Increment(ref arrived) == burst) all.SetResult();
                    await all.Task;
                    s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        });
        var options = new ClusterOptions { MaxIdleConnectionsPerDestination = cap, ConnectTimeout = TimeSpan.FromSeconds(2) };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], options: options);

        var clients = Enumerable.Range(0, burst).Select(_ => gateway.Connect()).ToList();
        try
        {
            clients.ForEach(c => c.Send("GET /burst HTTP/1.1\r\nHost: a\r\n\r\n"));
            foreach (var c in clients) Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            Assert.Equal(burst, upstream.AcceptedConnections);

            await WaitUntilAsync(() => Volatile.Read(ref open) == cap);
            await Task.Delay(300);
            Assert.Equal(cap, Volatile.Read(ref open));
            Assert.Equal(cap, gateway.Destinations[0].Pool.IdleConnections);
            Assert.Equal(cap, gateway.Destinations[0].Pool.OpenConnections);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10 s");
            await Task.Delay(10);
        }
    }
}
