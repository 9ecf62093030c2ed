using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

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
internal sealed class SocketWriter : BlockWriter
{
    /// <summary>Blocks gathered into one sendmsg.</summary>
    private const int MaxGather = 16;

    private enum SendStatus : byte { AllSent, Full, Failed }

    private readonly EpollConnection _connection;
    private readonly int _fd;
    private readonly int _pauseThreshold;
    private readonly ReadinessCallback _writable;
    private OutgoingBlocks _blocks;
    /// <summary>Unsent flushed bytes wait for EPOLLOUT; the loop thread sends them.</summary>
    private volatile bool _background;
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
    private long Unsent => _blocks.Unsent;

    protected override Exception? Failure => Volatile.Read(ref _failure);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _blocks.Unflushed;

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        if (sizeHint < 1) sizeHint = 1;
        if (_blocks.Tail is not { } tail || tail.Free < sizeHint)
        {
            if (_background)
            {
                lock (this) _blocks.EnsureRoom(sizeHint);
            }
            else _blocks.EnsureRoom(sizeHint);
        }
        return _blocks.Tail!.Block.Memory[_blocks.Tail.Length..];
    }

    public override void Advance(int bytes)
    {
        if (bytes == 0) return;
        var tail = _blocks.Tail;
        if (tail is null || (uint)bytes > (uint)tail.Free) throw new ArgumentOutOfRangeException(nameof(bytes));
        if (_background)
        {
            lock (this) tail.SetLength(tail.Length + bytes);
        }
        else tail.SetLength(tail.Length + bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_background) return FlushBehind(cancellationToken);
        if (_failure is not null) return new(Failed());
        if (_blocks.Tail is null) return Done();
        _blocks.Commit();
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
            _blocks.Commit();
            if (_background) return; // the background send finishes it
            if (_failure is null && _blocks.Tail is not null && SendOrArm() == SendStatus.Full) return;
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
                _blocks.Commit();
                if (Unsent < _pauseThreshold) return Done();
                return Wait(cancellationToken);
            }
        }
        return FlushAsync(cancellationToken); // the background finished meanwhile
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
        if (release) ReleaseWaitingFlush();
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
            if (Unsent == 0) return SendStatus.AllSent;
            var count = _blocks.Gather(vectors, MaxGather);
            nint n;
            if (count == 1) n = LibC.send(_fd, vectors[0].Base, (int)vectors[0].Length, LibC.MSG_NOSIGNAL);
            else
            {
                var message = new LibC.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
                n = LibC.sendmsg(_fd, &message, LibC.MSG_NOSIGNAL);
            }
            if (n >= 0)
            {
                _blocks.Consume(n);
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

    private void ReleaseAll() => _blocks.ReleaseAll();
}
