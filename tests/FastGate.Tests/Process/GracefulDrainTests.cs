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
        var release = new TaskCompletionSource();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
            {
                if (request.Target == "/slow")
                {
                    requestArrived.TrySetResult();
                    await release.Task; // still working when SIGTERM arrives, until the test has tried a new connection
                }
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow");
            }
        });
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "drain_timeout = \"10s\"");
        var endPoint = new IPEndPoint(IPAddress.Loopback, gateway.Port);
        Assert.False(await IsRefusedOrUnservedAsync(endPoint), "a new connection is not served before SIGTERM");

        using var idle = RawClient.Connect(endPoint);
        using var busy = RawClient.Connect(endPoint);
        busy.Send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
        await requestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        gateway.Terminate();
        // The slow response cannot have been sent yet: the upstream holds it until released below.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await IsRefusedOrUnservedAsync(endPoint))
            Assert.True(DateTime.UtcNow < deadline, "a new connection was still served while draining");
        Assert.False(gateway.HasExited, "fastgate exited before the in-flight request finished");
        release.SetResult();

        var response = await busy.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(200, response.Status);
        Assert.Equal("slow", response.Body);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await idle.IsClosedAsync(TimeSpan.FromSeconds(5)), "an idle keep-alive connection stays open during drain");
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(10)), "fastgate did not exit after draining");
        Assert.True(gateway.ExitCode == 0, $"exit code {gateway.ExitCode}; the gateway said:\n{string.Join("\n", gateway.Lines)}");
    }

    /// <summary>
    /// True when a new connection is refused, or accepted by the kernel but closed without an answer; false when a
    /// request on it is answered (or not answered within a second, which counts as not yet decided).
    /// </summary>
    private static async Task<bool> IsRefusedOrUnservedAsync(IPEndPoint endPoint)
    {
        RawClient probe;
        try
        {
            probe = RawClient.Connect(endPoint);
        }
        catch (SocketException)
        {
            return true;
        }
        using (probe)
        {
            try
            {
                probe.Send("GET /probe HTTP/1.1\r\nHost: test\r\n\r\n");
                await probe.ReadResponseAsync(timeout: TimeSpan.FromSeconds(1));
                return false;
            }
            catch (Exception ex) when (ex is EndOfStreamException or SocketException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
