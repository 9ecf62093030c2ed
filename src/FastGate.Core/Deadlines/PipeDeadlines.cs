using System.IO.Pipelines;

namespace FastGate.Deadlines;

/// <summary>
/// The read and flush deadlines of one connection's pipes. The code reading or flushing sets a deadline before it
/// waits and clears it after; the <see cref="Heartbeat"/> cancels the pending read or flush once it has passed.
/// </summary>
/// <remarks>
/// A cancel can arrive just after the wait it was meant for ended (the heartbeat saw the old deadline), and then
/// cancels the next wait instead. Every reader therefore decides by the deadline itself, not by the cancel:
/// <see cref="ReadTimedOut"/> is only true once the current deadline has passed; otherwise it waits again.
/// </remarks>
internal sealed class PipeDeadlines : IThreadPoolWorkItem
{
    private PipeReader? _input;
    private PipeWriter? _output;
    private long _read = Heartbeat.Never;
    private long _flush = Heartbeat.Never;
    private volatile bool _aborted;
    private volatile bool _flushAborted;
    private int _queued;
    private CancellationToken _closeRequest;
    private Action<object?>? _onCloseRequest;
    private object? _closeRequestState;
    private int _closeRequestSeen;

    /// <summary>The heartbeat's slot for this object, -1 while unregistered.</summary>
    internal int HeartbeatSlot = -1;

    /// <summary>Points the deadlines at a connection's pipes (objects holding this are pooled across connections).</summary>
    public void Bind(PipeReader? input, PipeWriter? output)
    {
        _input = input;
        _output = output;
        Clear();
    }

    /// <summary>Clears both deadlines and the abort flag, for the next exchange on this connection.</summary>
    public void Clear()
    {
        Volatile.Write(ref _read, Heartbeat.Never);
        Volatile.Write(ref _flush, Heartbeat.Never);
        _aborted = _flushAborted = false;
    }

    public void SetReadDeadline(TimeSpan timeout) => Volatile.Write(ref _read, Heartbeat.After(timeout));

    /// <summary>The read deadline <paramref name="timeout"/> from now, or <paramref name="notAfter"/> (a heartbeat time) when that comes first.</summary>
    public void SetReadDeadline(TimeSpan timeout, long notAfter) => Volatile.Write(ref _read, Math.Min(Heartbeat.After(timeout), notAfter));

    /// <summary>The read deadline <paramref name="timeout"/> after <paramref name="timestamp"/> (see <see cref="Heartbeat.After(TimeSpan, long)"/>),
    /// or <paramref name="notAfter"/> when that comes first.</summary>
    public void SetReadDeadlineFrom(long timestamp, TimeSpan timeout, long notAfter = Heartbeat.Never) =>
        Volatile.Write(ref _read, Math.Min(Heartbeat.After(timeout, timestamp), notAfter));

    public void ClearReadDeadline() => Volatile.Write(ref _read, Heartbeat.Never);

    public void SetFlushDeadline(TimeSpan timeout) => Volatile.Write(ref _flush, Heartbeat.After(timeout));

    public void ClearFlushDeadline() => Volatile.Write(ref _flush, Heartbeat.Never);

    /// <summary>
    /// Has the heartbeat call <paramref name="callback"/> once, on the thread pool, after <paramref name="token"/> is
    /// cancelled (within a tick). Cheaper per connection than a registration on the token, which an idle connection
    /// would hold for its whole life.
    /// </summary>
    public void WatchCloseRequest(CancellationToken token, Action<object?> callback, object state)
    {
        _closeRequest = token;
        _closeRequestState = state;
        Volatile.Write(ref _onCloseRequest, callback);
    }

    /// <summary>The token given to <see cref="WatchCloseRequest"/> is cancelled (at once, not a tick later).</summary>
    public bool CloseRequested => _closeRequest.IsCancellationRequested;

    private bool CloseRequestPending => _onCloseRequest is not null && _closeRequest.IsCancellationRequested
        && Volatile.Read(ref _closeRequestSeen) == 0;

    public bool ReadTimedOut => Heartbeat.Now >= Volatile.Read(ref _read);

    public bool FlushTimedOut => Heartbeat.Now >= Volatile.Read(ref _flush);

    /// <summary>Set by <see cref="AbortRead"/>: the pending read was ended on purpose, not by a deadline.</summary>
    public bool Aborted => _aborted;

    /// <summary>Set by <see cref="AbortFlush"/>: the pending flush was ended on purpose; the writer must stop.</summary>
    public bool FlushAborted => _flushAborted;

    /// <summary>
    /// Ends the pending (or next) flush now, so the one writer of the pipe stops by itself; completing the pipe from
    /// here instead would race that writer's own writes.
    /// </summary>
    public void AbortFlush()
    {
        _flushAborted = true;
        _output?.CancelPendingFlush();
    }

    /// <summary>Ends the pending (or next) read now, for a reason other than a deadline.</summary>
    public void AbortRead()
    {
        _aborted = true;
        _input?.CancelPendingRead();
    }

    /// <summary>
    /// Called by the heartbeat. An expiry is handed to the thread pool: cancelling resumes the waiting exchange inline
    /// (the pipes schedule inline), and that must neither run on nor hold up the heartbeat thread.
    /// </summary>
    internal void Check(long now)
    {
        if (now < Volatile.Read(ref _read) && now < Volatile.Read(ref _flush) && !CloseRequestPending) return;
        if (Interlocked.Exchange(ref _queued, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _queued, 0);
        var now = Heartbeat.Now;
        if (now >= Volatile.Read(ref _read)) _input?.CancelPendingRead();
        if (now >= Volatile.Read(ref _flush)) _output?.CancelPendingFlush();
        if (CloseRequestPending && Interlocked.Exchange(ref _closeRequestSeen, 1) == 0) _onCloseRequest!(_closeRequestState);
    }
}
