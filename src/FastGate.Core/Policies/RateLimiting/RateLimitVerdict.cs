namespace FastGate.Policies.RateLimiting;

/// <summary>What a bucket said: requests left in the quota, and when the next one would be allowed (Stopwatch ticks).</summary>
internal struct RateLimitVerdict
{
    public long Remaining;
    public long RetryAfterTicks;
}
