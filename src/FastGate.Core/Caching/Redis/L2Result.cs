namespace FastGate.Caching;

/// <summary>What an L2 read came to (the <c>result</c> label of <c>fastgate_cache_l2_requests_total</c>).</summary>
public enum L2Result : byte
{
    Hit,
    Miss,
    /// <summary>Redis answered with an error, or not within <c>redis_timeout</c>.</summary>
    Error,
    /// <summary>Not asked: not connected, or the breaker is open.</summary>
    Skipped,
}
