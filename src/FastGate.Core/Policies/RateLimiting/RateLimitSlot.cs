namespace FastGate.Policies.RateLimiting;

/// <summary>
/// What one rate limit of the route said about the exchange, kept in the context for the response's RateLimit
/// fields. <see cref="Stamp"/> is the exchange's <c>StartedAt</c>: a slot from an earlier exchange is never read.
/// </summary>
internal struct RateLimitSlot
{
    public const int PerRoute = 4;

    public long Stamp;
    public RateLimitVerdict Verdict;
}
