using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

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
        var loop = EventLoopGroup.Shared.CurrentOrNext();
        var fd = OpenSocket(remote.AddressFamily);
        var connection = new EpollConnection(loop, fd, local: null, remote, UpstreamReadLimit);
        try
        {
            var pending = StartConnect(fd, remote);
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

    private static int OpenSocket(AddressFamily family)
    {
        var domain = family == AddressFamily.InterNetworkV6 ? LibC.AF_INET6 : LibC.AF_INET;
        var fd = LibC.socket(domain, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, LibC.IPPROTO_TCP);
        if (fd < 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
        unsafe
        {
            var one = 1;
            LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, (byte*)&one, sizeof(int));
        }
        return fd;
    }

    /// <summary>Returns true while the connect is in progress, false when it completed at once; throws on failure.</summary>
    private static unsafe bool StartConnect(int fd, IPEndPoint remote)
    {
        var address = stackalloc byte[NativeSocketAddress.MaxSize];
        var length = NativeSocketAddress.Write(remote, new Span<byte>(address, NativeSocketAddress.MaxSize));
        while (true)
        {
            if (LibC.connect(fd, address, length) == 0) return false;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINPROGRESS) return true;
            if (errno != LibC.EINTR) throw SocketErrors.ForConnect(errno);
        }
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
        var error = ReadSocketError();
        if (error != 0) throw SocketErrors.ForConnect(error);
    }

    private void OnConnectTimeout()
    {
        _connectTimedOut = true;
        _loop.Post(this);
    }

    private unsafe int ReadSocketError()
    {
        int error = 0, size = sizeof(int);
        return LibC.getsockopt(_fd, LibC.SOL_SOCKET, LibC.SO_ERROR, (byte*)&error, &size) == 0 ? error : Marshal.GetLastPInvokeError();
    }
}
