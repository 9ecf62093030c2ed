namespace FastGate.Policies.RateLimiting;

/// <summary>The <c>algorithm</c> of a rate limit.</summary>
public enum RateLimitAlgorithm : byte
{
    /// <summary><c>token_bucket</c>: <c>rate</c> tokens per <c>period</c>, at most <c>burst</c> saved up (GCRA form).</summary>
    TokenBucket,
    /// <summary><c>fixed_window</c>: <c>rate</c> requests per aligned <c>period</c>.</summary>
    FixedWindow,
    /// <summary><c>sliding_window</c>: <c>rate</c> per <c>period</c> counted over a sliding window (previous window weighted by its overlap).</summary>
    SlidingWindow,
}
