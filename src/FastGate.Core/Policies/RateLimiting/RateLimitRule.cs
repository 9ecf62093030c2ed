namespace FastGate.Policies.RateLimiting;

/// <summary>
/// What a rate limit counts, as configured; two equal rules count alike, so a reload that keeps the rule keeps the
/// buckets. <see cref="Key"/> is the key list as written, joined by commas.
/// </summary>
public sealed record RateLimitRule(RateLimitAlgorithm Algorithm, string Key, int Rate, TimeSpan Period, int Burst, bool Shared = false);
