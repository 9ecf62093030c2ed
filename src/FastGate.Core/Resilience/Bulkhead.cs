using FastGate.Threading;

namespace FastGate.Resilience;

/// <summary>
/// At most <c>max_concurrent</c> exchanges of a cluster in its upstream phases at once; beyond that up to
/// <c>max_queue</c> wait (for <c>queue_timeout</c> at most), and the rest are refused at once, so one slow cluster
/// cannot take every connection and thread of the gateway. Entering while there is room is one compare-exchange.
/// Runtime state of the cluster: a reload with other limits starts a new one, and exchanges leave the one they entered.
/// </summary>
public sealed class Bulkhead(BulkheadPolicy policy)
{
    private readonly LeaseGate _gate = new(policy.MaxConcurrent);
    private long _rejected;

    public BulkheadPolicy Policy { get; } = policy;

    public int Active => _gate.Held;
    public int Queued => _gate.Waiting;

    /// <summary>Exchanges refused: the queue was full, or the wait timed out.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>True at once when there is room; otherwise a wait in the queue, if it has room. False: refused (counted).</summary>
    public ValueTask<bool> EnterAsync()
    {
        if (_gate.TryTake()) return new ValueTask<bool>(true);
        if (Policy.MaxQueue == 0 || _gate.Waiting >= Policy.MaxQueue) return new ValueTask<bool>(Reject());
        return new ValueTask<bool>(WaitAsync());
    }

    public void Leave() => _gate.Release();

    private async Task<bool> WaitAsync() => await _gate.WaitAsync(Policy.QueueTimeout).ConfigureAwait(false) || Reject();

    private bool Reject()
    {
        Interlocked.Increment(ref _rejected);
        return false;
    }
}
