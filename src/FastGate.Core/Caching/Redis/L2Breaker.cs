using System.Diagnostics;

namespace FastGate.Caching;

/// <summary>
/// The L2 path's own breaker: <c>redis_breaker_consecutive_failures</c> failures in a row (errors or timeouts) open it
/// for <c>redis_breaker_open_duration</c>, during which L2 is skipped; then one trial goes through, and its success
/// closes it, its failure opens it again. Lock-free: a CAS admits the one trial.
/// </summary>
internal sealed class L2Breaker(int threshold, TimeSpan openFor)
{
    private readonly long _openTicks = (long)(openFor.TotalSeconds * Stopwatch.Frequency);
    private int _failures;
    private long _openUntil;
    private int _trial;
    private long _opened;

    public string State => Volatile.Read(ref _openUntil) == 0 ? "closed" : Stopwatch.GetTimestamp() < Volatile.Read(ref _openUntil) ? "open" : "half_open";

    /// <summary>Times the breaker opened.</summary>
    public long Opened => Volatile.Read(ref _opened);

    public bool TryAdmit()
    {
        var until = Volatile.Read(ref _openUntil);
        if (until == 0) return true;
        return Stopwatch.GetTimestamp() >= until && Interlocked.CompareExchange(ref _trial, 1, 0) == 0;
    }

    public void Success()
    {
        if (Volatile.Read(ref _failures) != 0) Volatile.Write(ref _failures, 0);
        if (Volatile.Read(ref _openUntil) == 0) return;
        Volatile.Write(ref _openUntil, 0);
        Volatile.Write(ref _trial, 0);
    }

    public void Failure()
    {
        if (Interlocked.Increment(ref _failures) < threshold && Volatile.Read(ref _openUntil) == 0) return;
        if (Volatile.Read(ref _openUntil) == 0) Interlocked.Increment(ref _opened);
        Volatile.Write(ref _openUntil, Stopwatch.GetTimestamp() + _openTicks);
        Volatile.Write(ref _trial, 0);
    }
}
