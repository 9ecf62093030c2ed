namespace FastGate.Policies.RateLimiting;

/// <summary>
/// What a bucket said (times in Stopwatch ticks): requests left in the quota, when the next one would be allowed
/// (a rejection), and when the quota is whole again (an allowed request: the RateLimit field's <c>t</c>).
/// </summary>
internal struct RateLimitVerdict
{
    public long Remaining;
    public long RetryAfterTicks;
    public long ResetTicks;
}
