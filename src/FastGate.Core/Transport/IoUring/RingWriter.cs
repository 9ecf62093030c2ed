using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

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
internal sealed class RingWriter : BlockWriter
{
    /// <summary>Blocks gathered into one sendmsg.</summary>
    public const int MaxGather = 16;

    private readonly UringConnection _connection;
    private readonly int _pauseThreshold;
    private OutgoingBlocks _blocks;
    /// <summary>The writer holds memory of the tail it has not advanced over yet.</summary>
    private bool _lent;
    /// <summary>A send is asked for or in flight: nobody else may ask.</summary>
    private bool _sending;
    /// <summary>A send submission is in the kernel; the blocks it names stay put. Loop thread.</summary>
    private bool _inFlight;
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

    private long Unsent => _blocks.Unsent;

    protected override Exception? Failure => Volatile.Read(ref _failure);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes
    {
        get
        {
            lock (this) return Unflushed;
        }
    }

    private long Unflushed => _blocks.Unflushed;

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        if (sizeHint < 1) sizeHint = 1;
        lock (this)
        {
            _blocks.EnsureRoom(sizeHint);
            _lent = true;
            return _blocks.Tail!.Block.Memory[_blocks.Tail.Length..];
        }
    }

    public override void Advance(int bytes)
    {
        lock (this)
        {
            if (bytes != 0)
            {
                var tail = _blocks.Tail;
                if (tail is null || (uint)bytes > (uint)tail.Free) throw new ArgumentOutOfRangeException(nameof(bytes));
                tail.SetLength(tail.Length + bytes);
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
            if (_blocks.Tail is null) return Done();
            _blocks.Commit();
            if (!_sending && Unsent > 0)
            {
                _sending = true;
                _connection.RequestSend();
            }
            return Unsent < _pauseThreshold ? Done() : Wait(cancellationToken);
        }
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
            _blocks.Commit();
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
            if (result >= 0) _blocks.Consume(result);
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
        if (release) ReleaseWaitingFlush();
    }

    /// <summary>Loop thread: the connection was aborted; a waiting flush ends with the reason.</summary>
    public void OnAborted(Exception reason)
    {
        lock (this)
        {
            _failure ??= reason;
            if (!_inFlight && _sending) AfterSending();
        }
        ReleaseWaitingFlush();
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
        var count = _blocks.Gather(vectors, MaxGather);
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

    private void ReleaseAll() => _blocks.ReleaseAll();
}
