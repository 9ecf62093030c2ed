using System.Net;

namespace FastGate.Transport.IoUring;

internal sealed partial class UringConnection
{
    /// <summary>The poll for the end of a non-blocking connect; upstream connections only.</summary>
    private ReadinessSignal? _connected;
    private volatile bool _connectTimedOut;

    /// <summary>
    /// Opens a connection to <paramref name="remote"/>: a non-blocking connect, then a poll for writability on the
    /// loop and SO_ERROR. Called from a loop thread, the connection joins that loop. Throws
    /// <see cref="OperationCanceledException"/> after <paramref name="timeout"/> and a socket exception when refused.
    /// </summary>
    internal static async Task<UringConnection> ConnectAsync(IPEndPoint remote, TimeSpan timeout)
    {
        var loop = UringLoop.Group.CurrentOrNext(UringLoop.Current);
        var fd = NativeSocket.Open(remote.AddressFamily);
        var connection = new UringConnection(loop, fd, local: null, remote, EpollConnection.UpstreamReadLimit);
        loop.Register(connection);
        try
        {
            if (NativeSocket.StartConnect(fd, remote))
            {
                connection._connected = new ReadinessSignal();
                connection.Request(WantConnectPoll);
                await connection.WaitConnectedAsync(timeout).ConfigureAwait(false);
            }
        }
        catch
        {
            connection._stopping = true;
            connection.Request(WantClose);
            throw;
        }
        connection.Request(WantReceive);
        return connection;
    }

    private unsafe void SubmitConnectPoll()
    {
        var sqe = _loop.Submission(this, RingOperation.ConnectPoll, out _);
        sqe->Opcode = IoUringSyscalls.OpPollAdd;
        sqe->Fd = _fd;
        sqe->OpFlags = IoUringSyscalls.PollOut;
        _pollInFlight = true;
    }

    private async Task WaitConnectedAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        await using (timer.Token.UnsafeRegister(static s => ((UringConnection)s!).OnConnectTimeout(), this).ConfigureAwait(false))
        {
            await _connected!.WaitAsync().ConfigureAwait(false);
        }
        if (_connectTimedOut) throw new OperationCanceledException("connect timed out");
        var error = NativeSocket.PendingError(_fd);
        if (error != 0) throw SocketErrors.ForConnect(error);
        _connected = null;
    }

    private void OnConnectTimeout()
    {
        _connectTimedOut = true;
        Request(WantConnectCancel);
    }
}
