using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace FastGate.Transport;

/// <summary>Aborts a connection with a TCP reset, on either transport, for a peer that stopped reading.</summary>
internal static class ConnectionReset
{
    public static void Abort(ConnectionContext connection, string reason)
    {
        if (connection is NativeConnection native)
        {
            native.ResetOnClose();
        }
        else if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try { socket.LingerState = new LingerOption(true, 0); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { /* already gone */ }
        }
        connection.Abort(new ConnectionAbortedException(reason));
    }
}
