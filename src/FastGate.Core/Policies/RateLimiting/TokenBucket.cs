namespace FastGate.Policies.RateLimiting;

/// <summary>
/// <c>token_bucket</c> as the generic cell rate algorithm: one "theoretical arrival time" per key. Each request
/// moves it by one emission interval (period / rate); a request is allowed while that stays within
/// <c>burst</c> intervals of now. Same behaviour as a bucket of <c>burst</c> tokens refilled at <c>rate</c> per
/// <c>period</c>, in one <c>long</c> (and the form a shared Redis limit will use).
/// </summary>
internal sealed class TokenBucket(long interval, long tolerance) : RateLimitBucket
{
    public override bool TryAcquire(long now, out RateLimitVerdict verdict)
    {
        while (true)
        {
            var tat = Volatile.Read(ref _state);
            var next = Math.Max(tat, now) + interval;
            if (next - now > tolerance)
            {
                verdict = new RateLimitVerdict { Remaining = 0, RetryAfterTicks = next - now - tolerance, ResetTicks = next - now - interval };
                return false;
            }
            if (Interlocked.CompareExchange(ref _state, next, tat) == tat)
            {
                verdict = new RateLimitVerdict { Remaining = (tolerance - (next - now)) / interval, ResetTicks = next - now };
                return true;
            }
        }
    }

    public override bool IsIdle(long now) => Volatile.Read(ref _state) <= now;
}
