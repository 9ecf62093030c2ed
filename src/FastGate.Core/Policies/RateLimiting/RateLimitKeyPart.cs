namespace FastGate.Policies.RateLimiting;

/// <summary>A part of a rate-limit key; <see cref="Name"/> is the header name for <see cref="RateLimitKeyKind.Header"/>, the claim name for <see cref="RateLimitKeyKind.Claim"/>.</summary>
internal readonly record struct RateLimitKeyPart(RateLimitKeyKind Kind, byte[] Name);
