using System.Net;

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
