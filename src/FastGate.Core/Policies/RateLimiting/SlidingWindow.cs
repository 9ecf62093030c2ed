namespace FastGate.Policies.RateLimiting;

/// <summary>
/// <c>sliding_window</c>, the sliding window counter: the count of the current window plus the previous
/// window's count weighted by how much of it the sliding period still covers must stay below <c>rate</c>.
/// State in one <c>long</c>: window number (24 bits), current count and previous count (20 bits each, so
/// <c>rate</c> is at most 1,000,000).
/// </summary>
internal sealed class SlidingWindow(long period, int rate) : RateLimitBucket
{
    private const long CountMask = (1 << 20) - 1;
    private const long WindowMask = (1 << 24) - 1;

    public override bool TryAcquire(long now, out RateLimitVerdict verdict)
    {
        var window = now / period;
        var into = now - window * period;
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var stored = state >> 40;
            long current = (state >> 20) & CountMask, previous = state & CountMask;
            if (stored != (window & WindowMask))
            {
                previous = stored == ((window - 1) & WindowMask) ? current : 0;
                current = 0;
            }
            var weighted = previous * (period - into) / period;
            if (weighted + current + 1 > rate)
            {
                verdict = new RateLimitVerdict { Remaining = 0, RetryAfterTicks = RetryAfter(current, previous, into), ResetTicks = period - into };
                return false;
            }
            var next = ((window & WindowMask) << 40) | ((current + 1) << 20) | previous;
            if (Interlocked.CompareExchange(ref _state, next, state) == state)
            {
                verdict = new RateLimitVerdict { Remaining = rate - (weighted + current + 1), ResetTicks = period - into };
                return true;
            }
        }
    }

    /// <summary>When the weighted count drops low enough for one more request.</summary>
    private long RetryAfter(long current, long previous, long into)
    {
        var room = rate - 1 - current;
        if (room >= 0)
        {
            // previous * (period - t) / period <= room  ⇔  t >= period * (1 - room / previous)
            var at = previous == 0 ? into : period - period * room / previous;
            return Math.Max(1, at - into);
        }
        // Over on the current window alone: in the next one it is the previous, weighted down as that one passes.
        var nextAt = period - period * (rate - 1) / Math.Max(1, current);
        return period - into + Math.Max(0, nextAt);
    }

    public override bool IsIdle(long now)
    {
        var stored = Volatile.Read(ref _state) >> 40;
        var window = now / period;
        return stored != (window & WindowMask) && stored != ((window - 1) & WindowMask);
    }
}
