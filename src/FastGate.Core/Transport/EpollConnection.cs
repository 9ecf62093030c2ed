using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace FastGate.Transport;

/// <summary>
/// One TCP connection driven by an <see cref="EventLoop"/>: an input (<see cref="SocketReader"/>) that reads the
/// socket when the application asks and waits for an EPOLLIN edge only when the kernel has nothing, and an output
/// (<see cref="SocketWriter"/>) whose flush sends at once, leaving the rest to EPOLLOUT edges only when the kernel
/// buffer is full. The fd is never seen by .NET's socket engine and is closed exactly once, on the loop thread, after
/// both stop.
/// </summary>
/// <remarks>
/// Lifecycle, as Kestrel's Sockets transport: peer FIN completes the input (the output still works); the app
/// completing its output half-closes (FIN); <see cref="Abort(ConnectionAbortedException)"/> shuts the socket down
/// and ends the input with the reason; <see cref="DisposeAsync"/> sends what is left, stops both, then closes.
/// </remarks>
internal sealed partial class EpollConnection : NativeConnection, ILoopWork, ILoopRegistrant
{
    /// <summary>
    /// Most bytes one read of a client's input takes from the kernel (<see cref="SocketReader"/> reads only when its
    /// reader asks, so this also bounds what a reader that looks without consuming, like request buffering, can
    /// gather). The kernel's buffers hold far more, so a smaller value costs no throughput.
    /// </summary>
    public const int ClientReadLimit = 64 * 1024;

    /// <summary>
    /// The same for upstream connections, whose input is a response the relay drains at once into the client's pipe
    /// or the spool: kept small, since a burst of slow clients can leave every upstream connection mid-read at once.
    /// </summary>
    public const int UpstreamReadLimit = 16 * 1024;

    /// <summary>
    /// Unsent output at which a flush waits (one pinned block): a client that stops reading pins this plus the one
    /// write that met its full buffer (a relay write, at most 16 KiB). Only a client whose kernel buffer is full gets
    /// that far, so a smaller value costs a reader that keeps up nothing.
    /// </summary>
    public const int OutputPauseThreshold = PinnedBlockMemoryPool.BlockSize;

    private readonly EventLoop _loop;
    private readonly int _fd;
    private readonly SocketReader _input;
    private readonly SocketWriter _output;
    /// <summary>The EPOLLOUT edge that ends a non-blocking connect; upstream connections only.</summary>
    private ReadinessSignal? _connected;
    private Exception? _shutdownReason;
    private volatile bool _peerShutdown;
    private volatile bool _stopping;
    private bool _fdClosed;

    private EpollConnection(EventLoop loop, int fd, EndPoint? local, EndPoint? remote, int maxReadPerCall)
        : base(local, remote)
    {
        _loop = loop;
        _fd = fd;
        _input = new SocketReader(this, fd, maxReadPerCall);
        _output = new SocketWriter(this, fd, OutputPauseThreshold);
        Transport = new DuplexPipe(_input, _output);
    }

    /// <summary>The loop this connection's events are dispatched on.</summary>
    internal EventLoop Loop => _loop;

    /// <summary>The loop's registration token; see <see cref="EventLoop"/>.</summary>
    public ulong Token { get; set; }

    protected override object Gate => _output;

    /// <summary>Wraps a connected non-blocking socket and registers it with <paramref name="loop"/>.</summary>
    internal static EpollConnection Start(EventLoop loop, int fd, EndPoint? local, EndPoint? remote)
    {
        var connection = new EpollConnection(loop, fd, local, remote, ClientReadLimit);
        loop.Register(connection, fd);
        return connection;
    }

    /// <summary>An epoll edge for this socket, on the loop thread.</summary>
    internal void OnEvents(uint events)
    {
        if ((events & (LibC.EPOLLRDHUP | LibC.EPOLLHUP | LibC.EPOLLERR)) != 0) _peerShutdown = true;
        if ((events & (LibC.EPOLLIN | LibC.EPOLLRDHUP | LibC.EPOLLHUP | LibC.EPOLLERR)) != 0) _input.Readable.Set();
        if ((events & (LibC.EPOLLOUT | LibC.EPOLLHUP | LibC.EPOLLERR)) != 0)
        {
            _connected?.Set();
            _output.Writable.Set();
        }
    }

    /// <summary>Posted by abort, dispose and the connect timeout: wake whichever side waits, on the loop thread.</summary>
    void ILoopWork.Execute()
    {
        _input.Readable.Set();
        _connected?.Set();
        _output.Writable.Set();
        if (CloseRequested)
        {
            CloseSocket();
            OnClosed();
        }
    }

    public override void Abort(ConnectionAbortedException abortReason) => Shutdown(abortReason);

    internal override void ResetOnClose()
    {
        lock (Gate)
        {
            if (!_fdClosed) NativeSocket.SetResetOnClose(_fd);
        }
    }

    /// <summary>
    /// Ends the connection now: both directions shut down, pending reads and writes end, and the input completes
    /// with <paramref name="reason"/>. The first reason wins.
    /// </summary>
    private void Shutdown(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _shutdownReason, reason, null) is not null) return;
        ShutdownSocket(LibC.SHUT_RDWR);
        _loop.Post(this);
    }

    /// <summary>Reading has to stop: the connection was aborted or is being disposed.</summary>
    internal bool StopReceiving => _stopping || Volatile.Read(ref _shutdownReason) is not null;

    /// <summary>A send failed other than by the peer's reset: the connection ends with that error.</summary>
    internal void OnSendFailed(Exception error) => Shutdown(error);

    /// <summary>The output is complete and sent: the FIN goes out, the input stays open.</summary>
    internal void OnOutputDone() => ShutdownSocket(LibC.SHUT_WR);

    /// <summary>Why the connection was aborted, if it was.</summary>
    internal Exception? ShutdownReason => Volatile.Read(ref _shutdownReason);

    /// <summary>The peer has shut down its side (EPOLLRDHUP, HUP or an error), as the loop last saw.</summary>
    internal bool PeerShutdown => _peerShutdown;

    private void ShutdownSocket(int how)
    {
        lock (Gate)
        {
            if (!_fdClosed) LibC.shutdown(_fd, how);
        }
    }

    protected override Task CompleteAndSendAsync()
    {
        _input.Complete();
        _output.Complete();
        return _output.WhenSentAsync();
    }

    protected override void StopAndClose()
    {
        _stopping = true;
        ShutdownSocket(LibC.SHUT_RDWR);
        _loop.Post(this);
    }

    /// <summary>Closes the fd exactly once; later shutdowns become no-ops and late epoll events are ignored.</summary>
    private void CloseSocket()
    {
        lock (Gate)
        {
            if (_fdClosed) return;
            _fdClosed = true;
            _loop.Unregister(this, _fd);
            LibC.close(_fd);
        }
    }
}
