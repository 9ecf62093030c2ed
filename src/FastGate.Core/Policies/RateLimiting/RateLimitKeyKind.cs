namespace FastGate.Policies.RateLimiting;

/// <summary>What one part of a rate-limit key is made of.</summary>
internal enum RateLimitKeyKind : byte
{
    ClientIp,
    Route,
    Header,
    /// <summary>A claim of the token a JWT policy earlier in the route's list validated.</summary>
    Claim,
}
