using System.Net;
using System.Net.Sockets;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

public class GracefulDrainTests
{
    [Fact]
    public async Task SigtermFinishesInFlightRequestsRefusesNewOnesAndExits()
    {
        var requestArrived = new TaskCompletionSource();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                requestArrived.TrySetResult();
                await Task.Delay(1500); // still working when SIGTERM arrives
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow");
            }
        });
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "drain_timeout = \"10s\"");

        using var idle = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        using var busy = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        busy.Send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
        await requestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        gateway.Terminate();
        var response = await busy.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(200, response.Status);
        Assert.Equal("slow", response.Body);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await idle.IsClosedAsync(TimeSpan.FromSeconds(5)), "an idle keep-alive connection stays open during drain");
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(10)), "fastgate did not exit after draining");
        Assert.Equal(0, gateway.ExitCode);
        Assert.Throws<SocketException>(() => RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port)));
    }
}
