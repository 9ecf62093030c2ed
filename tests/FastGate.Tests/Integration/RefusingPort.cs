using System.Net;
using System.Net.Sockets;

namespace FastGate.Tests.Integration;

/// <summary>
/// A loopback port that refuses connections for as long as this lives: bound, so no other test (running in
/// parallel) can listen on it, but never listening. A port merely freed can be taken by the next upstream another
/// test starts, which then answers what should have been refused, or sees probes meant for a dead destination.
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false); // a reusing listener could share it
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>
    /// Holds <paramref name="port"/> from now on, right after the listener on it stopped. Reusing the address lets it
    /// bind past the TIME_WAIT connections the listener left; a new listener still cannot take the port meanwhile.
    /// </summary>
    public RefusingPort(int port)
    {
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public int Port => EndPoint.Port;

    public void Dispose() => _socket.Dispose();
}
