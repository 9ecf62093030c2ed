namespace FastGate.Policies.RateLimiting;

/// <summary>
/// The count of one partition (one key). Lock-free: each algorithm keeps its state in one <c>long</c> updated by
/// compare-exchange, so a take is a read, some arithmetic and one CAS.
/// </summary>
internal abstract class RateLimitBucket
{
    /// <summary>The algorithm's whole state; 0 is a new bucket's.</summary>
    protected long _state;

    /// <summary>Back to a new bucket's state (benchmarks measure the allowed path with it).</summary>
    internal void Reset() => Volatile.Write(ref _state, 0);

    /// <summary>Takes one request at <paramref name="now"/> (Stopwatch ticks); false when over the limit.</summary>
    public abstract bool TryAcquire(long now, out RateLimitVerdict verdict);

    /// <summary>True when the bucket is back where a new one starts: evicting it changes nothing.</summary>
    public abstract bool IsIdle(long now);
}
