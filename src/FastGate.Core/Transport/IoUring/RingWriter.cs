using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport.IoUring;

/// <summary>
/// The output of a <see cref="UringConnection"/>: a <see cref="PipeWriter"/> over pinned blocks whose flush queues
/// one send (or sendmsg over up to <see cref="MaxGather"/> blocks) of what was written, submitted with everything
/// else the loop does this turn. One send is in flight at a time; its completion frees the blocks sent and queues
/// the next. The writer and the loop thread share the chain under the writer's monitor.
/// </summary>
/// <remarks>
/// Back-pressure as the epoll writer: a flush completes at once while fewer than the pause threshold of bytes wait
/// unsent, and otherwise when fewer do again. The loop thread frees the last block only when the writer holds no
/// memory of it (between a <see cref="GetMemory"/> and its <see cref="Advance"/>), so an idle connection keeps none.
/// </remarks>
internal sealed class RingWriter : PipeWriter, IValueTaskSource<FlushResult>
{
    /// <summary>Blocks gathered into one sendmsg.</summary>
    public const int MaxGather = 16;

    private readonly UringConnection _connection;
    private readonly int _pauseThreshold;
    private ManualResetValueTaskSourceCore<FlushResult> _core; // RunContinuationsAsynchronously = false: resume inline

    private BlockSegment? _head;
    /// <summary>Bytes of <see cref="_head"/> already sent.</summary>
    private int _headSent;
    private BlockSegment? _tail;
    /// <summary>Running index up to which bytes were flushed: what a send may take.</summary>
    private long _committed;
    /// <summary>The writer holds memory of the tail it has not advanced over yet.</summary>
    private bool _lent;
    /// <summary>A send is asked for or in flight: nobody else may ask.</summary>
    private bool _sending;
    /// <summary>A send submission is in the kernel; the blocks it names stay put. Loop thread.</summary>
    private bool _inFlight;
    private int _flushWaiting;
    private int _cancelRequested;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private Exception? _failure;
    private bool _completed;
    /// <summary>Made only when a dispose has to wait for a send.</summary>
    private TaskCompletionSource? _sent;

    public RingWriter(UringConnection connection, int pauseThreshold)
    {
        _connection = connection;
        _pauseThreshold = pauseThreshold;
    }

    /// <summary>A send is in the kernel: the socket must not be closed yet.</summary>
    public bool InFlight => _inFlight;

    private long Unsent => _head is null ? 0 : _committed - (_head.RunningIndex + _headSent);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes
    {
        get
        {
            lock (this) return Unflushed;
        }
    }

    private long Unflushed => _tail is null ? 0 : _tail.RunningIndex + _tail.Length - _committed;

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        if (sizeHint < 1) sizeHint = 1;
        lock (this)
        {
            if (_tail is null || _tail.Free < sizeHint) AddBlock(sizeHint);
            _lent = true;
            return _tail!.Block.Memory[_tail.Length..];
        }
    }

    public override void Advance(int bytes)
    {
        lock (this)
        {
            if (bytes != 0)
            {
                if (_tail is null || (uint)bytes > (uint)_tail.Free) throw new ArgumentOutOfRangeException(nameof(bytes));
                _tail.SetLength(_tail.Length + bytes);
            }
            _lent = false;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (this)
        {
            _lent = false;
            if (_failure is null && _connection.ShutdownReason is { } reason) _failure = reason;
            if (_failure is not null) return new(Failed());
            if (_tail is null) return Done();
            _committed = _tail.RunningIndex + _tail.Length;
            if (!_sending && Unsent > 0)
            {
                _sending = true;
                _connection.RequestSend();
            }
            return Unsent < _pauseThreshold ? Done() : Wait(cancellationToken);
        }
    }

    public override void CancelPendingFlush()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    /// <summary>Writing is done: what is written goes out, then the FIN (an exception aborts instead).</summary>
    public override void Complete(Exception? exception = null)
    {
        lock (this)
        {
            if (_completed) return;
            _completed = true;
            _lent = false;
            if (exception is not null)
            {
                _failure ??= exception;
                _connection.OnSendFailed(exception);
            }
            if (_tail is not null) _committed = _tail.RunningIndex + _tail.Length;
            if (_failure is null && Unsent > 0)
            {
                if (!_sending)
                {
                    _sending = true;
                    _connection.RequestSend();
                }
                return; // the send's completion finishes
            }
            if (!_inFlight) Finish();
        }
    }

    /// <summary>Completes once nothing flushed waits to be sent and no send is in the kernel; the dispose waits for it.</summary>
    public Task WhenSentAsync()
    {
        lock (this)
        {
            if (!_sending && !_inFlight) return Task.CompletedTask;
            return (_sent ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Loop thread: the send asked for by a flush is submitted now.</summary>
    public void StartSend()
    {
        lock (this)
        {
            if (!_sending || _inFlight) return;
            if (_failure is null && Unsent > 0) Submit();
            else AfterSending();
        }
    }

    /// <summary>Loop thread: a send completed with <paramref name="result"/> bytes, or minus an errno.</summary>
    public void OnSent(int result)
    {
        bool release;
        lock (this)
        {
            _inFlight = false;
            if (result >= 0) Consume(result);
            else
            {
                var error = SocketErrors.ForTransfer(-result);
                _failure ??= error;
                // As Kestrel: a reset is the peer's doing, and what it sent before it is still read; anything else aborts.
                if (!IsPeerGone(error)) _connection.OnSendFailed(error);
            }
            if (_failure is null && _connection.ShutdownReason is { } reason) _failure = reason;
            if (_failure is null && Unsent > 0) Submit();
            else AfterSending();
            release = _failure is not null || Unsent < _pauseThreshold;
        }
        // Outside the monitor: the flush's continuation runs inline here and may write again.
        if (release && Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    /// <summary>Loop thread: the connection was aborted; a waiting flush ends with the reason.</summary>
    public void OnAborted(Exception reason)
    {
        lock (this)
        {
            _failure ??= reason;
            if (!_inFlight && _sending) AfterSending();
        }
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    /// <summary>Nothing more to send for now: the sending turn ends. Under the monitor, with no send in flight.</summary>
    private void AfterSending()
    {
        _sending = false;
        if (_completed) Finish();
        else if (_failure is null && !_lent && Unflushed == 0) ReleaseAll(); // idle: hold no block
        _sent?.TrySetResult();
    }

    /// <summary>Queues a send of the flushed bytes from the head, gathering blocks. Under the monitor, on the loop thread.</summary>
    private unsafe void Submit()
    {
        var sqe = _connection.Loop.Submission(_connection, RingOperation.Send, out var scratch);
        var message = (LibC.MessageHeader*)scratch;
        var vectors = (LibC.IoVector*)(scratch + 64);
        var count = 0;
        var segment = _head;
        var offset = _headSent;
        var left = Unsent;
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
        sqe->Fd = _connection.Fd;
        sqe->OpFlags = LibC.MSG_NOSIGNAL;
        if (count == 1)
        {
            sqe->Opcode = IoUringSyscalls.OpSend;
            sqe->Address = (ulong)vectors[0].Base;
            sqe->Length = (uint)vectors[0].Length;
        }
        else
        {
            *message = new LibC.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
            sqe->Opcode = IoUringSyscalls.OpSendMsg;
            sqe->Address = (ulong)message;
            sqe->Length = 1;
        }
        _inFlight = true;
    }

    /// <summary>A flush that completes at once: cancelled if a cancel came since the last one, the bytes queued all the same.</summary>
    private ValueTask<FlushResult> Done() =>
        Interlocked.Exchange(ref _cancelRequested, 0) == 1 ? new(new FlushResult(isCanceled: true, isCompleted: false)) : default;

    /// <summary>A flush past the pause threshold. Under the monitor, so a send's completion cannot slip in before it waits.</summary>
    private ValueTask<FlushResult> Wait(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<FlushResult>(cancellationToken);
        if (Volatile.Read(ref _flushWaiting) == 1) throw new InvalidOperationException("A flush is already waiting on this writer.");
        _core.Reset();
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((RingWriter)s!).OnTokenCancelled(), this);
        }
        Interlocked.Exchange(ref _flushWaiting, 1);
        if (Volatile.Read(ref _cancelRequested) == 1 && Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1)
            CompleteWaiting();
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

    private void Consume(int sent)
    {
        while (true)
        {
            var inHead = _head!.Length - _headSent;
            if (sent < inHead || _head == _tail)
            {
                _headSent += sent;
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
        if (!_inFlight) ReleaseAll();
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
