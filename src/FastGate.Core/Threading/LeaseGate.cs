namespace FastGate.Threading;

/// <summary>
/// At most <see cref="Capacity"/> leases held at once. Taking one is a compare-exchange, no lock, while some are
/// free; a taker that must wait counts itself a waiter first, and while there are waiters a lease given back is
/// handed to them through a <see cref="SemaphoreSlim"/> (which only waiters touch), so none is missed.
/// </summary>
internal sealed class LeaseGate(int capacity) : IDisposable
{
    private int _available = capacity;
    private int _waiters;
    private readonly SemaphoreSlim _handoff = new(0);

    public int Capacity { get; } = capacity;

    /// <summary>Takers waiting now.</summary>
    public int Waiting => Volatile.Read(ref _waiters);

    /// <summary>Leases held now (taken and not given back).</summary>
    public int Held => Capacity - Volatile.Read(ref _available) - _handoff.CurrentCount;

    public bool TryTake()
    {
        if (TryTakeAvailable()) return true;
        // A lease handed off to a waiter that had already taken one or given up is still there for anyone.
        return _handoff.Wait(0);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a lease (after <see cref="TryTake"/> failed).</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            // Counted as a waiter first: a lease given back from now on is handed off, so none can be missed.
            return TryTake() || await _handoff.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    public void Release()
    {
        if (Volatile.Read(ref _waiters) > 0)
        {
            _handoff.Release();
            return;
        }
        Interlocked.Increment(ref _available);
        // A taker that began to wait after the check above may have looked before the increment: hand it over. (The
        // increment and the waiter's own count are both full fences, so one side always sees the other.)
        if (Volatile.Read(ref _waiters) > 0 && TryTakeAvailable()) _handoff.Release();
    }

    private bool TryTakeAvailable()
    {
        var available = Volatile.Read(ref _available);
        while (available > 0)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - 1, available);
            if (seen == available) return true;
            available = seen;
        }
        return false;
    }

    public void Dispose() => _handoff.Dispose();
}
