using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace FastGate.Transport;

/// <summary>
/// The input of an <see cref="EpollConnection"/>: a <see cref="PipeReader"/> that reads the socket itself, when its
/// reader asks for more, instead of a receive loop filling a pipe ahead of it. The kernel's socket buffer is the only
/// read-ahead, so an idle connection holds no block, no pipe and no pending async method, only this object; and a
/// request that arrives whole is handed over from the very read that asked for it, with no hop through a pipe.
/// </summary>
/// <remarks>
/// <para>
/// A read that finds the kernel queue empty arms a <see cref="ReadinessCallback"/> and returns a pending
/// <see cref="ValueTask{ReadResult}"/> backed by this object; the loop thread's next EPOLLIN edge reads and completes
/// it, running the reader's continuation inline, as a pipe with inline schedulers did. After a short read the queue is
/// known to be empty, so the next read waits for an edge without a syscall (edge-triggered epoll).
/// </para>
/// <para>
/// Exactly one party reads the socket at a time: the reader's own call, or whoever completes its pending read (the
/// edge, <see cref="CancelPendingRead"/>, the cancellation token), which first claims the read with a compare-exchange
/// from <c>Pending</c> to <c>Busy</c>. Bytes read before an error or the end are delivered before it.
/// </para>
/// </remarks>
internal sealed class SocketReader : PipeReader, IValueTaskSource<ReadResult>
{
    private const int Idle = 0;
    private const int Pending = 1;
    private const int Busy = 2;

    private readonly EpollConnection _connection;
    private readonly int _fd;
    private readonly int _maxReadPerCall;
    private readonly ReadinessCallback _readable;
    private ManualResetValueTaskSourceCore<ReadResult> _core; // RunContinuationsAsynchronously = false: resume inline

    private ReceivedBlocks _blocks;
    private int _state;
    private int _cancelRequested;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    /// <summary>The last read found the kernel queue empty: the next one waits for an edge first.</summary>
    private bool _drained;
    private bool _ended;
    private Exception? _error;
    private bool _completed;

    public SocketReader(EpollConnection connection, int fd, int maxReadPerCall)
    {
        _connection = connection;
        _fd = fd;
        _maxReadPerCall = maxReadPerCall;
        _readable = new ReadinessCallback(static s => ((SocketReader)s).OnReadable(), this);
    }

    /// <summary>The loop thread's readable edges (EPOLLIN, EPOLLRDHUP, errors) and wake-ups go here.</summary>
    public ReadinessCallback Readable => _readable;

    private ReadOnlySequence<byte> Buffer => _blocks.Buffer;

    private bool HasUnexamined => _blocks.Unexamined > 0;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (TryReadNow(out var result)) return new ValueTask<ReadResult>(result);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<ReadResult>(cancellationToken);

        _core.Reset();
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((SocketReader)s!).OnTokenCancelled(), this);
        }
        Volatile.Write(ref _state, Busy);
        Drive(edge: false);
        return new ValueTask<ReadResult>(this, _core.Version);
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return TryReadNow(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _blocks.AdvanceTo(consumed, examined);

    public override void CancelPendingRead()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.CompareExchange(ref _state, Busy, Pending) == Pending) Drive(edge: false);
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed) return;
        _completed = true;
        if (Interlocked.CompareExchange(ref _state, Busy, Idle) == Idle)
        {
            ReleaseAll();
            Volatile.Write(ref _state, Idle);
        }
        else if (Interlocked.CompareExchange(ref _state, Busy, Pending) == Pending) Drive(edge: false);
        // Busy: the party completing a pending read sees _completed and releases the blocks.
    }

    /// <summary>
    /// Completes the read at once when it can: a cancel was asked for, bytes wait that the reader has not looked at,
    /// the input has ended or failed, or a read of the socket (when it may hold bytes) brings some.
    /// </summary>
    private bool TryReadNow(out ReadResult result)
    {
        if (Interlocked.Exchange(ref _cancelRequested, 0) == 1)
        {
            result = new ReadResult(Buffer, isCanceled: true, _ended);
            return true;
        }
        if (!HasUnexamined && !_ended && _error is null && (!_drained || _readable.TakeReady())) Receive();
        if (HasUnexamined || _ended)
        {
            result = new ReadResult(Buffer, isCanceled: false, _ended);
            return true;
        }
        if (_error is { } error) ExceptionDispatchInfo.Throw(error);
        result = default;
        return false;
    }

    /// <summary>Brings the pending read to an end, or arms the edge for it. The caller has claimed it (Busy).</summary>
    private void Drive(bool edge)
    {
        while (true)
        {
            if (_completed)
            {
                Finish(new ReadResult(default, isCanceled: false, isCompleted: true));
                return;
            }
            if (_token.IsCancellationRequested)
            {
                Fail(new OperationCanceledException(_token));
                return;
            }
            if (Interlocked.Exchange(ref _cancelRequested, 0) == 1)
            {
                Finish(new ReadResult(Buffer, isCanceled: true, _ended));
                return;
            }
            if ((edge || !_drained) && !_ended && _error is null) Receive();
            edge = false;
            if (HasUnexamined || _ended)
            {
                Finish(new ReadResult(Buffer, isCanceled: false, _ended));
                return;
            }
            if (_error is { } error)
            {
                Fail(error);
                return;
            }
            Volatile.Write(ref _state, Pending);
            if (!_readable.Arm())
            {
                // An edge came since the read: look again, unless a cancel or the token claimed the read meanwhile.
                if (Interlocked.CompareExchange(ref _state, Busy, Pending) != Pending) return;
                edge = true;
                continue;
            }
            // A cancel that came before the read was pending found nothing to claim: claim it for the cancel now.
            if (Volatile.Read(ref _cancelRequested) == 1 && Interlocked.CompareExchange(ref _state, Busy, Pending) == Pending)
                continue;
            return;
        }
    }

    /// <summary>An edge, on the loop thread: reads for the pending read, if one is still waiting.</summary>
    private bool OnReadable()
    {
        if (Interlocked.CompareExchange(ref _state, Busy, Pending) != Pending) return false;
        Drive(edge: true);
        return true;
    }

    private void OnTokenCancelled()
    {
        if (Interlocked.CompareExchange(ref _state, Busy, Pending) == Pending) Drive(edge: false);
    }

    private void Finish(in ReadResult result)
    {
        EndWait();
        _core.SetResult(result);
    }

    private void Fail(Exception error)
    {
        EndWait();
        _core.SetException(error);
    }

    private void EndWait()
    {
        _registration.Unregister();
        _registration = default;
        _token = default;
        // Completed while this read was being finished on another thread: nobody will consume the blocks.
        if (_completed) ReleaseAll();
        // Idle before the continuation runs: it may read again, inline.
        Volatile.Write(ref _state, Idle);
    }

    /// <summary>Reads what the kernel holds, up to the cap per call, into blocks at the tail.</summary>
    private unsafe void Receive()
    {
        if (_connection.StopReceiving)
        {
            // An abort's reason wins over whatever the aborted socket reports, as in Kestrel; a dispose just ends.
            if (_connection.ShutdownReason is { } reason) _error = reason;
            else _ended = true;
            _connection.OnReceiveEnded();
            return;
        }
        var total = 0;
        while (true)
        {
            if (_blocks.Tail is not { Free: > 0 }) _blocks.Append(PinnedBlockMemoryPool.Instance.RentBlock().Segment);
            var tail = _blocks.Tail!;
            var space = tail.Free;
            var n = LibC.recv(_fd, tail.Block.Pointer + tail.Length, space, 0);
            if (n > 0)
            {
                tail.SetLength(tail.Length + (int)n);
                total += (int)n;
                // A short read drained the queue, unless the peer has shut down: then read on to its end (the 0).
                if (n < space) { _drained = !_connection.PeerShutdown; break; }
                if (total >= _maxReadPerCall) { _drained = false; break; }
                continue;
            }
            if (n == 0)
            {
                _ended = true;
                break;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR) continue;
            if (errno == LibC.EAGAIN) { _drained = true; break; }
            _error = SocketErrors.ForTransfer(errno);
            break;
        }
        if (_ended || _error is not null) _connection.OnReceiveEnded();
        _blocks.TrimEmptyTail();
    }

    private void ReleaseAll() => _blocks.ReleaseAll();

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
