namespace FastGate.Policies.Jwt;

/// <summary>
/// A validated token: its bytes (compared whole on a hit), the Stopwatch timestamp it stops being valid at, its
/// verdict, its claims, and the values <c>forward_claims</c> sends (null where the claim is absent or not a valid
/// field value), in the order of <c>forward_claims</c>.
/// </summary>
internal sealed class JwtCacheEntry(byte[] token, ulong hash, long expiresAt, JwtVerdict verdict, JwtClaims claims, byte[]?[] forwarded)
{
    public byte[] Token { get; } = token;
    public ulong Hash { get; } = hash;
    public long ExpiresAt { get; } = expiresAt;
    public JwtVerdict Verdict { get; } = verdict;
    public JwtClaims Claims { get; } = claims;
    public byte[]?[] Forwarded { get; } = forwarded;
}
