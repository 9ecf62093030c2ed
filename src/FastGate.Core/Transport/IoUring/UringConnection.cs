using System.Net;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport.IoUring;

/// <summary>
/// One TCP connection on a <see cref="UringLoop"/>: a multishot receive into the loop's provided buffers feeds its
/// input (<see cref="RingReader"/>), and each flush of its output (<see cref="RingWriter"/>) becomes a send submitted
/// with the loop's next turn. Submissions are made on the loop thread only; a request from another thread is posted.
/// The fd is closed exactly once, on the loop thread, when none of its operations is still in the kernel.
/// </summary>
/// <remarks>The lifecycle is the epoll connection's: peer FIN ends the input, the output's completion sends a FIN,
/// abort shuts down both ways and ends the input with the reason, dispose sends what is left and then closes.</remarks>
internal sealed partial class UringConnection : NativeConnection, ILoopWork, ILoopRegistrant
{
    private const int WantReceive = 1;
    private const int WantSend = 2;
    private const int WantWake = 4;
    private const int WantClose = 8;
    private const int WantConnectPoll = 16;
    private const int WantConnectCancel = 32;

    private readonly UringLoop _loop;
    private readonly int _fd;
    private readonly RingReader _input;
    private readonly RingWriter _output;
    /// <summary>Requests posted from other threads, run by the loop in <see cref="ILoopWork.Execute"/>.</summary>
    private int _requests;
    // Loop thread only, but read by others to skip a needless request.
    private volatile bool _receiveArmed;
    private bool _receiveCancelling;
    private bool _pollInFlight;
    private bool _closeRequested;
    private bool _fdClosed;
    private Exception? _shutdownReason;
    private volatile bool _stopping;

    private UringConnection(UringLoop loop, int fd, EndPoint? local, EndPoint? remote, int readAhead)
        : base(local, remote)
    {
        _loop = loop;
        _fd = fd;
        _input = new RingReader(this, readAhead);
        _output = new RingWriter(this, EpollConnection.OutputPauseThreshold);
        Transport = new DuplexPipe(_input, _output);
    }

    public ulong Token { get; set; }

    internal UringLoop Loop => _loop;

    internal int Fd => _fd;

    protected override object Gate => _output;

    /// <summary>Why the connection was aborted, if it was.</summary>
    internal Exception? ShutdownReason => Volatile.Read(ref _shutdownReason);

    /// <summary>Wraps an accepted non-blocking socket and starts receiving on <paramref name="loop"/>.</summary>
    internal static UringConnection Start(UringLoop loop, int fd, EndPoint? local, EndPoint? remote)
    {
        var connection = new UringConnection(loop, fd, local, remote, EpollConnection.ClientReadLimit);
        loop.Register(connection);
        connection.Request(WantReceive);
        return connection;
    }

    /// <summary>The reader waits: the receive must be armed (it pauses once enough waits unread).</summary>
    internal void WantInput()
    {
        // Pairs with the fence in OnReceive: the reader's "waiting" is visible before the armed flag is read, so one side re-arms.
        Interlocked.MemoryBarrier();
        if (!_receiveArmed) Request(WantReceive);
    }

    internal void RequestSend() => Request(WantSend);

    public override void Abort(ConnectionAbortedException abortReason) => Shutdown(abortReason);

    internal override void ResetOnClose()
    {
        lock (Gate)
        {
            if (!_fdClosed) NativeSocket.SetResetOnClose(_fd);
        }
    }

    /// <summary>A send failed other than by the peer's reset: the connection ends with that error.</summary>
    internal void OnSendFailed(Exception error) => Shutdown(error);

    /// <summary>The output is complete and sent: the FIN goes out, the input stays open.</summary>
    internal void OnOutputDone() => ShutdownSocket(LibC.SHUT_WR);

    private void Shutdown(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _shutdownReason, reason, null) is not null) return;
        ShutdownSocket(LibC.SHUT_RDWR);
        Request(WantWake);
    }

    private void ShutdownSocket(int how)
    {
        lock (Gate)
        {
            if (!_fdClosed) LibC.shutdown(_fd, how);
        }
    }

    private void Request(int what)
    {
        if (UringLoop.Current == _loop) Run(what);
        else if (Interlocked.Or(ref _requests, what) == 0) _loop.Post(this);
    }

    void ILoopWork.Execute() => Run(Interlocked.Exchange(ref _requests, 0));

    /// <summary>Loop thread: carries out requests.</summary>
    private void Run(int what)
    {
        if ((what & WantWake) != 0) OnWake();
        if ((what & WantConnectPoll) != 0) SubmitConnectPoll();
        if ((what & WantConnectCancel) != 0 && _pollInFlight) _loop.Cancel(this, RingOperation.ConnectPoll);
        if ((what & WantReceive) != 0) ArmReceive();
        if ((what & WantSend) != 0) _output.StartSend();
        if ((what & WantClose) != 0)
        {
            _closeRequested = true;
            CancelReceive();
            if (_pollInFlight) _loop.Cancel(this, RingOperation.ConnectPoll);
            TryClose();
        }
    }

    /// <summary>Loop thread: an abort or dispose ends the waiting sides.</summary>
    private void OnWake()
    {
        if (ShutdownReason is { } reason)
        {
            _input.OnEnded(reason);
            _output.OnAborted(reason);
            CancelReceive();
        }
        else if (_stopping) _input.OnEnded(null);
        _connected?.Set();
    }

    private unsafe void ArmReceive()
    {
        if (_receiveArmed || _closeRequested || _stopping || ShutdownReason is not null || _input.IsDone) return;
        var sqe = _loop.Submission(this, RingOperation.Receive, out _);
        sqe->Opcode = IoUringSyscalls.OpRecv;
        sqe->Fd = _fd;
        sqe->IoPriority = IoUringSyscalls.RecvMultishot;
        sqe->Flags = IoUringSyscalls.SqeBufferSelect;
        sqe->BufferGroup = ProvidedBufferRing.GroupId;
        _receiveArmed = true;
        _receiveCancelling = false;
    }

    private void CancelReceive()
    {
        if (!_receiveArmed || _receiveCancelling) return;
        _receiveCancelling = true;
        _loop.Cancel(this, RingOperation.Receive);
    }

    /// <summary>Loop thread: a completion for one of this connection's operations.</summary>
    internal void OnCompletion(RingOperation operation, int result, uint flags)
    {
        switch (operation)
        {
            case RingOperation.Receive:
                OnReceive(result, flags);
                break;
            case RingOperation.Send:
                _output.OnSent(result);
                break;
            case RingOperation.ConnectPoll:
                _pollInFlight = false;
                _connected?.Set();
                break;
        }
        if (_closeRequested) TryClose();
    }

    private void OnReceive(int result, uint flags)
    {
        if ((flags & IoUringSyscalls.CqeMore) == 0)
        {
            _receiveArmed = false;
            // Store-load fence: the cleared flag is visible before the reader's "waiting" is read below (see WantInput).
            Interlocked.MemoryBarrier();
        }
        if (result > 0)
        {
            var block = _loop.Buffers.Take((ushort)(flags >> IoUringSyscalls.CqeBufferShift));
            if (_input.OnReceived(block, result))
            {
                // The multishot ended by itself (out of buffers, or the kernel's choice): go on.
                if (!_receiveArmed) ArmReceive();
            }
            else CancelReceive();
            return;
        }
        if (result == 0)
        {
            _input.OnEnded(ShutdownReason);
            return;
        }
        var errno = -result;
        if (errno == IoUringSyscalls.ENOBUFS || errno == IoUringSyscalls.ECANCELED)
        {
            // Out of provided buffers (fresh ones are committed before the next submission), or paused: go on if the reader waits.
            if (errno == IoUringSyscalls.ENOBUFS || _input.IsWaiting) ArmReceive();
            return;
        }
        _input.OnEnded(ShutdownReason ?? SocketErrors.ForTransfer(errno));
    }

    /// <summary>Reading has to stop: the connection was aborted or is being disposed.</summary>
    internal bool StopReceiving => _stopping || ShutdownReason is not null;

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
        Request(WantWake | WantClose);
    }

    /// <summary>Loop thread: closes the fd once nothing of it is in the kernel; late completions are then ignored.</summary>
    private void TryClose()
    {
        if (_receiveArmed || _pollInFlight || _output.InFlight) return;
        lock (Gate)
        {
            if (_fdClosed) return;
            _fdClosed = true;
            _loop.Unregister(this);
            LibC.close(_fd);
        }
        OnClosed();
    }
}
