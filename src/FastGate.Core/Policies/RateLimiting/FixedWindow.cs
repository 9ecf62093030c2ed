namespace FastGate.Policies.RateLimiting;

/// <summary>
/// <c>fixed_window</c>: at most <c>rate</c> requests per window of <c>period</c>, windows aligned to the clock.
/// State: the window number (low 32 bits) and its count, in one <c>long</c>.
/// </summary>
internal sealed class FixedWindow(long period, int rate) : RateLimitBucket
{
    public override bool TryAcquire(long now, out RateLimitVerdict verdict)
    {
        var window = now / period;
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var count = (uint)(state >> 32) == (uint)window ? (int)(state & 0xFFFF_FFFF) : 0;
            if (count >= rate)
            {
                verdict = new RateLimitVerdict { Remaining = 0, RetryAfterTicks = (window + 1) * period - now, ResetTicks = (window + 1) * period - now };
                return false;
            }
            var next = ((long)(uint)window << 32) | (uint)(count + 1);
            if (Interlocked.CompareExchange(ref _state, next, state) == state)
            {
                verdict = new RateLimitVerdict { Remaining = rate - count - 1, ResetTicks = (window + 1) * period - now };
                return true;
            }
        }
    }

    public override bool IsIdle(long now) => (uint)(Volatile.Read(ref _state) >> 32) != (uint)(now / period);
}
