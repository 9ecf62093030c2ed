using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace FastGate.Transport.IoUring;

/// <summary>
/// The input of a <see cref="UringConnection"/>: the blocks a multishot receive filled, chained as they came, read
/// as a <see cref="PipeReader"/>. The loop thread appends; the reader consumes; both under the reader's monitor,
/// which is uncontended when, as usual, the reader runs on the loop thread too.
/// </summary>
/// <remarks>
/// Read-ahead is bounded: once <c>readAhead</c> bytes wait that the reader has not looked at, the receive is
/// cancelled, and it is armed again when the reader asks for more (as the epoll reader reads only when asked). A
/// small arrival that fits in the last block is copied there, so a client that sends a byte at a time cannot make a
/// block of each. Bytes that came before the end or an error are delivered before it.
/// </remarks>
internal sealed class RingReader : PipeReader, IValueTaskSource<ReadResult>
{
    /// <summary>Arrivals up to this size are copied into the last block when they fit, so every block is well used.</summary>
    private const int SmallArrival = PinnedBlockMemoryPool.BlockSize / 4;

    private readonly UringConnection _connection;
    private readonly int _readAhead;
    private ManualResetValueTaskSourceCore<ReadResult> _core; // RunContinuationsAsynchronously = false: resume inline

    private ReceivedBlocks _blocks;
    private volatile bool _waiting;
    private int _cancelRequested;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private bool _ended;
    private Exception? _error;
    private bool _completed;

    public RingReader(UringConnection connection, int readAhead)
    {
        _connection = connection;
        _readAhead = readAhead;
    }

    /// <summary>A read is pending: the receive must be armed.</summary>
    public bool IsWaiting => _waiting;

    /// <summary>No more input is wanted: the reader completed, or the input ended or failed.</summary>
    public bool IsDone => _completed || _ended || _error is not null;

    private ReadOnlySequence<byte> Buffer => _blocks.Buffer;

    private long Unexamined => _blocks.Unexamined;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        lock (this)
        {
            if (TryResult(cancellationToken, out var result, out var error))
                return error is null ? new ValueTask<ReadResult>(result) : ValueTask.FromException<ReadResult>(error);
        }
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        _core.Reset();
        _token = cancellationToken;
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.UnsafeRegister(static s => ((RingReader)s!).TryFinish(), this);
        lock (this) _waiting = true;
        _connection.WantInput();
        // Whatever came between the look above and the wait (bytes, a cancel, the token) ends it now.
        TryFinish();
        return new ValueTask<ReadResult>(this, _core.Version);
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        lock (this)
        {
            if (!TryResult(default, out result, out var error)) return false;
            if (error is not null) throw error;
            return true;
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (this) _blocks.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead()
    {
        Volatile.Write(ref _cancelRequested, 1);
        TryFinish();
    }

    public override void Complete(Exception? exception = null)
    {
        lock (this)
        {
            if (_completed) return;
            _completed = true;
            ReleaseAll();
        }
        TryFinish();
    }

    /// <summary>Loop thread: <paramref name="length"/> bytes arrived in <paramref name="block"/>. Returns whether to go on receiving.</summary>
    public unsafe bool OnReceived(PinnedBlock block, int length)
    {
        bool more;
        lock (this)
        {
            if (_completed)
            {
                ((IDisposable)block).Dispose();
                return false;
            }
            if (_blocks.Tail is { } tail && length <= tail.Free && length <= SmallArrival)
            {
                // Small: into the last block's room, and the block straight back.
                System.Buffer.MemoryCopy(block.Pointer, tail.Block.Pointer + tail.Length, tail.Free, length);
                tail.SetLength(tail.Length + length);
                ((IDisposable)block).Dispose();
            }
            else
            {
                _blocks.Append(block.Segment);
                block.Segment.SetLength(length);
            }
            more = Unexamined < _readAhead;
        }
        if (_waiting) TryFinish();
        return more;
    }

    /// <summary>Loop thread: the input ended (<paramref name="error"/> null: the peer's FIN) or failed.</summary>
    public void OnEnded(Exception? error)
    {
        lock (this)
        {
            if (error is not null) _error ??= error;
            else _ended = true;
        }
        _connection.OnReceiveEnded();
        TryFinish();
    }

    /// <summary>Ends the pending read if there is one and something can end it.</summary>
    private void TryFinish()
    {
        ReadResult result;
        Exception? error;
        lock (this)
        {
            if (!_waiting || !TryResult(_token, out result, out error)) return;
            _waiting = false;
        }
        _registration.Unregister();
        _registration = default;
        _token = default;
        if (error is null) _core.SetResult(result);
        else _core.SetException(error);
    }

    /// <summary>The result a read gets now, if it need not wait. Under the monitor.</summary>
    private bool TryResult(CancellationToken token, out ReadResult result, out Exception? error)
    {
        error = null;
        if (_completed)
        {
            result = new ReadResult(default, isCanceled: false, isCompleted: true);
            return true;
        }
        if (token.IsCancellationRequested)
        {
            result = default;
            error = new OperationCanceledException(token);
            return true;
        }
        if (Interlocked.Exchange(ref _cancelRequested, 0) == 1)
        {
            result = new ReadResult(Buffer, isCanceled: true, _ended);
            return true;
        }
        if (Unexamined > 0 || _ended)
        {
            result = new ReadResult(Buffer, isCanceled: false, _ended);
            return true;
        }
        result = default;
        if (_error is null) return false;
        error = _error;
        return true;
    }

    private void ReleaseAll() => _blocks.ReleaseAll();

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
