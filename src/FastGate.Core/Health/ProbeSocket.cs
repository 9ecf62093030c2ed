using System.Net;
using System.Net.Sockets;

namespace FastGate.Health;

/// <summary>The probes' own connections: a plain non-pooled socket per probe, and the words a failure is logged with.</summary>
internal static class ProbeSocket
{
    public static async Task<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancel)
    {
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endPoint, cancel);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A probe's exception as a failure reason; the timeout's cancellation is "timeout".</summary>
    public static ProbeResult Failure(Exception exception, bool connected, CancellationToken cancel) => exception switch
    {
        OperationCanceledException when cancel.IsCancellationRequested => ProbeResult.Fail(connected ? "timeout" : "connect timeout"),
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => ProbeResult.Fail("refused"),
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => ProbeResult.Fail("reset"),
        SocketException s => ProbeResult.Fail(connected ? $"socket error {s.SocketErrorCode}" : $"connect failed ({s.SocketErrorCode})"),
        _ => ProbeResult.Fail(exception.GetType().Name),
    };
}
