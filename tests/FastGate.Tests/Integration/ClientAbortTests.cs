using FastGate.Http;
namespace FastGate.Tests.Integration;

public class ClientAbortTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task ClientClosingMidBodyClosesTheUpstreamConnectionAndItIsNotReused(int delayBeforeCloseMs)
    {
        var firstUpstreamClosed = new TaskCompletionSource<bool>();
        var sessions = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            if (Interlocked.Increment(ref sessions) == 1)
            {
                // The gateway may or may not forward the partial body before closing; either is fine.
                await s.ReadRequestAsync(readBody: false);
                firstUpstreamClosed.SetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
                return;
            }
            while (await s.ReadRequestAsync() is { } request)
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Path: {request.Target}\r\n\r\nok");
        });
        // Streamed (no request buffering), so the partial body reaches the upstream before the client leaves.
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], new HttpLimits { RequestBuffer = 0 });

        using (var aborting = gateway.Connect())
        {
            aborting.Send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000));
            await Task.Delay(delayBeforeCloseMs);
        }

        Assert.True(await firstUpstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the gateway kept the upstream connection open");
        Assert.Equal(0, gateway.Destinations[0].Pool.IdleConnections);

        using var client = gateway.Connect();
        client.Send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("/after", response.Header("X-Path"));
        Assert.Equal(2, upstream.AcceptedConnections);
    }
}
