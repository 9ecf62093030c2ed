using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>
/// The output of an <see cref="EpollConnection"/>: a <see cref="PipeWriter"/> whose flush sends on the caller's own
/// thread, with one send or sendmsg over the pinned blocks written since the last flush, instead of handing them
/// through a pipe to a send loop. Only when the kernel's buffer is full does the rest go out in the background, on
/// the loop thread's EPOLLOUT edges.
/// </summary>
/// <remarks>
/// <para>
/// Flushes apply back-pressure: one completes at once while fewer than the pause threshold of bytes wait unsent,
/// and otherwise waits until fewer do again. With a threshold of one block, a client that stops reading pins
/// at most that plus the one write that met the full buffer. A flush the deadlines cancel
/// (<see cref="CancelPendingFlush"/>) comes back cancelled; the bytes stay queued. As with any writer, one party
/// writes at a time, <see cref="Complete"/> included: a flush and a complete on two threads at once are a bug of the
/// caller (they would free the same blocks twice).
/// </para>
/// <para>
/// Until a flush meets a full buffer, the writer's thread is the only one touching the blocks, and takes no lock.
/// While a background send is under way, the loop thread sends and frees blocks too: then both sides take the
/// writer's monitor. The loop thread never frees the block the writer writes into (the tail).
/// </para>
/// </remarks>
internal sealed class SocketWriter : PipeWriter, IValueTaskSource<FlushResult>
{
    /// <summary>Blocks gathered into one sendmsg.</summary>
    private const int MaxGather = 16;

    private enum SendStatus : byte { AllSent, Full, Failed }

    private readonly EpollConnection _connection;
    private readonly int _fd;
    private readonly int _pauseThreshold;
    private readonly ReadinessCallback _writable;
    private ManualResetValueTaskSourceCore<FlushResult> _core; // RunContinuationsAsynchronously = false: resume inline

    private BlockSegment? _head;
    /// <summary>Bytes of <see cref="_head"/> already sent.</summary>
    private int _headSent;
    private BlockSegment? _tail;
    /// <summary>Running index up to which bytes were flushed: what a send may take.</summary>
    private long _committed;
    /// <summary>Unsent flushed bytes wait for EPOLLOUT; the loop thread sends them.</summary>
    private volatile bool _background;
    private int _flushWaiting;
    private int _cancelRequested;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private Exception? _failure;
    private bool _completed;
    /// <summary>Made only when a dispose has to wait for a background send.</summary>
    private TaskCompletionSource? _sent;

    public SocketWriter(EpollConnection connection, int fd, int pauseThreshold)
    {
        _connection = connection;
        _fd = fd;
        _pauseThreshold = pauseThreshold;
        _writable = new ReadinessCallback(static s => ((SocketWriter)s).OnWritable(), this);
    }

    /// <summary>The loop thread's writable edges (EPOLLOUT, errors) and wake-ups go here.</summary>
    public ReadinessCallback Writable => _writable;

    /// <summary>Flushed bytes not yet taken by the kernel.</summary>
    private long Unsent => _head is null ? 0 : _committed - (_head.RunningIndex + _headSent);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _tail is null ? 0 : _tail.RunningIndex + _tail.Length - _committed;

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        if (sizeHint < 1) sizeHint = 1;
        if (_tail is null || _tail.Free < sizeHint)
        {
            if (_background)
            {
                lock (this) AddBlock(sizeHint);
            }
            else AddBlock(sizeHint);
        }
        return _tail!.Block.Memory[_tail.Length..];
    }

    public override void Advance(int bytes)
    {
        if (bytes == 0) return;
        if (_tail is null || (uint)bytes > (uint)_tail.Free) throw new ArgumentOutOfRangeException(nameof(bytes));
        if (_background)
        {
            lock (this) _tail.SetLength(_tail.Length + bytes);
        }
        else _tail.SetLength(_tail.Length + bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_background) return FlushBehind(cancellationToken);
        if (_failure is not null) return new(Failed());
        if (_tail is null) return Done();
        _committed = _tail.RunningIndex + _tail.Length;
        switch (SendOrArm())
        {
            case SendStatus.AllSent:
                ReleaseAll();
                return Done();
            case SendStatus.Failed:
                return new(Failed());
            default:
                // Armed: from here on the loop thread may send at any moment.
                return FlushBehind(cancellationToken);
        }
    }

    public override void CancelPendingFlush()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    /// <summary>Writing is done: what is flushed and written goes out, then the FIN (an exception aborts instead).</summary>
    /// <remarks>Once per connection, so under the monitor throughout: the background may be finishing on the loop thread.</remarks>
    public override void Complete(Exception? exception = null)
    {
        lock (this)
        {
            if (_completed) return;
            _completed = true;
            if (exception is not null)
            {
                _failure ??= exception;
                _connection.OnSendFailed(exception);
            }
            if (_tail is not null) _committed = _tail.RunningIndex + _tail.Length;
            if (_background) return; // the background send finishes it
            if (_failure is null && _tail is not null && SendOrArm() == SendStatus.Full) return;
            Finish();
        }
    }

    /// <summary>Completes once everything flushed has been sent, or sending failed; the dispose waits for it.</summary>
    public Task WhenSentAsync()
    {
        if (!_background) return Task.CompletedTask;
        lock (this)
        {
            if (!_background) return Task.CompletedTask;
            return (_sent ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>A flush while the background still sends: commit, and wait only past the pause threshold.</summary>
    private ValueTask<FlushResult> FlushBehind(CancellationToken cancellationToken)
    {
        lock (this)
        {
            if (_background)
            {
                _committed = _tail!.RunningIndex + _tail.Length;
                if (Unsent < _pauseThreshold) return Done();
                return Wait(cancellationToken);
            }
        }
        return FlushAsync(cancellationToken); // the background finished meanwhile
    }

    /// <summary>A flush that completes at once: cancelled if a cancel came since the last one (as a pipe's is), the bytes sent or queued all the same.</summary>
    private ValueTask<FlushResult> Done() =>
        Interlocked.Exchange(ref _cancelRequested, 0) == 1 ? new(new FlushResult(isCanceled: true, isCompleted: false)) : default;

    private ValueTask<FlushResult> Wait(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<FlushResult>(cancellationToken);
        if (Volatile.Read(ref _flushWaiting) == 1) throw new InvalidOperationException("A flush is already waiting on this writer.");
        _core.Reset();
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((SocketWriter)s!).OnTokenCancelled(), this);
        }
        // A full fence: the reads below cannot move before it, so a cancel racing this either sees the flush waiting
        // or is seen here.
        Interlocked.Exchange(ref _flushWaiting, 1);
        if (Volatile.Read(ref _cancelRequested) == 1 && Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1)
            CompleteWaiting();
        // A token cancelled while it was being registered called back before the flush was waiting.
        else if (cancellationToken.IsCancellationRequested) OnTokenCancelled();
        return new ValueTask<FlushResult>(this, _core.Version);
    }

    private void OnTokenCancelled()
    {
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) != 1) return;
        var token = _token;
        _token = default;
        _registration = default;
        _core.SetException(new OperationCanceledException(token));
    }

    /// <summary>Ends the waiting flush, which the caller has claimed: cancelled, failed, or caught up.</summary>
    private void CompleteWaiting()
    {
        _registration.Unregister();
        _registration = default;
        _token = default;
        var canceled = Interlocked.Exchange(ref _cancelRequested, 0) == 1;
        var failure = Volatile.Read(ref _failure);
        if (!canceled && failure is not null && !IsPeerGone(failure))
        {
            _core.SetException(failure);
            return;
        }
        _core.SetResult(new FlushResult(canceled, isCompleted: failure is not null));
    }

    /// <summary>An EPOLLOUT edge (or a wake-up), on the loop thread: sends what waits, if a background send runs.</summary>
    private bool OnWritable()
    {
        bool release;
        lock (this)
        {
            if (!_background) return false;
            var status = SendOrArm();
            release = status != SendStatus.Full || Unsent < _pauseThreshold;
            if (status != SendStatus.Full)
            {
                if (_completed) Finish();
                _sent?.TrySetResult();
            }
        }
        // Outside the monitor: the flush's continuation runs inline here and may write again.
        if (release && Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
        return true;
    }

    /// <summary>
    /// Sends, and when the kernel's buffer is full arms the writable edge for the rest; <see cref="_background"/>
    /// says whether it is armed. The caller owns the blocks: the writer while no background runs, else the monitor.
    /// </summary>
    private SendStatus SendOrArm()
    {
        while (true)
        {
            var status = SendCommitted();
            _background = status == SendStatus.Full;
            if (status != SendStatus.Full || _writable.Arm()) return status;
            // An edge came since the last arming: the buffer may have room again.
        }
    }

    /// <summary>
    /// Sends the flushed bytes from the head, gathering blocks, until all are sent or the kernel's buffer is full.
    /// Fully sent blocks before the tail go back to the pool.
    /// </summary>
    private unsafe SendStatus SendCommitted()
    {
        var vectors = stackalloc LibC.IoVector[MaxGather];
        while (true)
        {
            if (_connection.ShutdownReason is { } reason)
            {
                _failure ??= reason;
                return SendStatus.Failed;
            }
            var unsent = Unsent;
            if (unsent == 0) return SendStatus.AllSent;
            var count = 0;
            var segment = _head;
            var offset = _headSent;
            var left = unsent;
            while (segment is not null && count < MaxGather && left > 0)
            {
                var length = (int)Math.Min(segment.Length - offset, left);
                if (length > 0)
                {
                    vectors[count].Base = segment.Block.Pointer + offset;
                    vectors[count].Length = (nuint)length;
                    count++;
                    left -= length;
                }
                segment = (BlockSegment?)segment.Next;
                offset = 0;
            }
            nint n;
            if (count == 1) n = LibC.send(_fd, vectors[0].Base, (int)vectors[0].Length, LibC.MSG_NOSIGNAL);
            else
            {
                var message = new LibC.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
                n = LibC.sendmsg(_fd, &message, LibC.MSG_NOSIGNAL);
            }
            if (n >= 0)
            {
                Consume(n);
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR) continue;
            if (errno == LibC.EAGAIN) return SendStatus.Full;
            var error = SocketErrors.ForTransfer(errno);
            _failure ??= error;
            // As Kestrel: a reset is the peer's doing, and what it sent before it is still read; anything else aborts.
            if (!IsPeerGone(error)) _connection.OnSendFailed(error);
            return SendStatus.Failed;
        }
    }

    private void Consume(nint sent)
    {
        while (true)
        {
            var inHead = _head!.Length - _headSent;
            if (sent < inHead || _head == _tail)
            {
                _headSent += (int)sent;
                return;
            }
            sent -= inHead;
            var next = (BlockSegment)_head.Next!;
            _head.Release();
            _head = next;
            _headSent = 0;
        }
    }

    private void AddBlock(int sizeHint)
    {
        var segment = PinnedBlockMemoryPool.Instance.RentBlock(sizeHint).Segment;
        if (_tail is null)
        {
            segment.Start(0);
            _head = segment;
            _headSent = 0;
            _committed = 0;
        }
        else _tail.Append(segment);
        _tail = segment;
    }

    /// <summary>The result of a flush after sending failed: completed for a peer that is gone, else the error.</summary>
    private FlushResult Failed()
    {
        ReleaseAll();
        if (!IsPeerGone(_failure!)) ExceptionDispatchInfo.Throw(_failure!);
        return new FlushResult(isCanceled: false, isCompleted: true);
    }

    /// <summary>Written out, or given up: the blocks go back and, after a clean end, the FIN goes out.</summary>
    private void Finish()
    {
        var clean = _failure is null;
        ReleaseAll();
        if (clean) _connection.OnOutputDone();
    }

    private static bool IsPeerGone(Exception error) => error is ConnectionResetException or ConnectionAbortedException;

    private void ReleaseAll()
    {
        BlockSegment.ReleaseChain(_head);
        _head = _tail = null;
        _headSent = 0;
        _committed = 0;
    }

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
