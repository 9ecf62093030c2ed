using System.IO.Pipelines;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>
/// What the epoll and io_uring writers share: the flush that waits while too much is unsent, backed by the writer
/// itself (no allocation), ended by the sends catching up, a failure, <see cref="CancelPendingFlush"/> or its token.
/// </summary>
/// <remarks>
/// <see cref="CancelPendingFlush"/> is sticky, as a pipe's: with no flush waiting, the next flush comes back
/// cancelled (its bytes still go out).
/// </remarks>
internal abstract class BlockWriter : PipeWriter, IValueTaskSource<FlushResult>
{
    private ManualResetValueTaskSourceCore<FlushResult> _core; // RunContinuationsAsynchronously = false: resume inline
    private int _flushWaiting;
    private int _cancelRequested;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;

    /// <summary>Why sending failed, if it did.</summary>
    protected abstract Exception? Failure { get; }

    public override void CancelPendingFlush()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    /// <summary>A flush that completes at once: cancelled if a cancel came since the last one, the bytes sent or queued all the same.</summary>
    protected ValueTask<FlushResult> Done() =>
        Interlocked.Exchange(ref _cancelRequested, 0) == 1 ? new(new FlushResult(isCanceled: true, isCompleted: false)) : default;

    /// <summary>
    /// A flush that waits for <see cref="ReleaseWaitingFlush"/>. The caller holds the monitor the releasing side
    /// takes to decide, so a release cannot slip in between the decision to wait and the wait.
    /// </summary>
    protected ValueTask<FlushResult> Wait(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<FlushResult>(cancellationToken);
        if (Volatile.Read(ref _flushWaiting) == 1) throw new InvalidOperationException("A flush is already waiting on this writer.");
        _core.Reset();
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((BlockWriter)s!).OnTokenCancelled(), this);
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

    /// <summary>Ends the waiting flush, if any: the sends caught up, or failed. Call outside the monitor (its continuation runs inline).</summary>
    protected void ReleaseWaitingFlush()
    {
        if (Interlocked.CompareExchange(ref _flushWaiting, 0, 1) == 1) CompleteWaiting();
    }

    protected static bool IsPeerGone(Exception error) => error is ConnectionResetException or ConnectionAbortedException;

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
        var failure = Failure;
        if (!canceled && failure is not null && !IsPeerGone(failure))
        {
            _core.SetException(failure);
            return;
        }
        _core.SetResult(new FlushResult(canceled, isCompleted: failure is not null));
    }

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
