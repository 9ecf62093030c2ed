using System.Net;

namespace FastGate.Transport;

internal sealed partial class EpollConnection
{
    private volatile bool _connectTimedOut;

    /// <summary>
    /// Opens a connection to <paramref name="remote"/>: a non-blocking connect, then the EPOLLOUT edge on the loop
    /// and SO_ERROR. Called from a loop thread, the connection joins that loop. Throws
    /// <see cref="OperationCanceledException"/> after <paramref name="timeout"/> and <see cref="SocketException"/>
    /// when refused or unreachable.
    /// </summary>
    internal static async Task<EpollConnection> ConnectAsync(IPEndPoint remote, TimeSpan timeout)
    {
        var loop = EventLoop.Group.CurrentOrNext(EventLoop.Current);
        var fd = NativeSocket.Open(remote.AddressFamily);
        var connection = new EpollConnection(loop, fd, local: null, remote, UpstreamReadLimit);
        try
        {
            var pending = NativeSocket.StartConnect(fd, remote);
            if (pending) connection._connected = new ReadinessSignal();
            loop.Register(connection, fd);
            if (pending) await connection.WaitConnectedAsync(timeout).ConfigureAwait(false);
        }
        catch
        {
            connection.CloseSocket();
            throw;
        }
        return connection;
    }

    private async Task WaitConnectedAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        await using (timer.Token.UnsafeRegister(static s => ((EpollConnection)s!).OnConnectTimeout(), this).ConfigureAwait(false))
        {
            await _connected!.WaitAsync().ConfigureAwait(false);
        }
        // Connected (or given up): later EPOLLOUT edges need not record themselves here.
        _connected = null;
        if (_connectTimedOut) throw new OperationCanceledException("connect timed out");
        var error = NativeSocket.PendingError(_fd);
        if (error != 0) throw SocketErrors.ForConnect(error);
    }

    private void OnConnectTimeout()
    {
        _connectTimedOut = true;
        _loop.Post(this);
    }
}
