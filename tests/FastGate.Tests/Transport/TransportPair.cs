using System.Net;
using System.Net.Sockets;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Tests.Transport;

/// <summary>
/// One connection accepted by a native transport's listener (<see cref="Server"/>; epoll unless another factory is
/// given) and the plain .NET socket that made it
/// (<see cref="Client"/>), over real loopback TCP.
/// </summary>
internal sealed class TransportPair : IAsyncDisposable
{
    private readonly IConnectionListener _listener;

    private TransportPair(IConnectionListener listener, ConnectionContext server, Socket client)
    {
        _listener = listener;
        Server = server;
        Client = client;
    }

    public ConnectionContext Server { get; }
    public Socket Client { get; }

    public static async Task<TransportPair> StartAsync(int? clientReceiveBuffer = null, IConnectionListenerFactory? factory = null)
    {
        var listener = await (factory ?? new EpollTransportFactory()).BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (clientReceiveBuffer is { } size) client.ReceiveBufferSize = size;
        var accept = listener.AcceptAsync().AsTask();
        await client.ConnectAsync((IPEndPoint)listener.EndPoint);
        var server = await accept.WaitAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("listener unbound");
        return new TransportPair(listener, server, client);
    }

    /// <summary>Reads from the client socket until <paramref name="count"/> bytes or the end of the stream.</summary>
    public async Task<byte[]> ClientReceiveAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[count];
        var total = 0;
        while (total < count)
        {
            var n = await Client.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token);
            if (n == 0) break;
            total += n;
        }
        return buffer[..total];
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await _listener.DisposeAsync();
    }

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
