namespace FastGate.Policies.Jwt;

/// <summary>
/// A validated token: its bytes (compared whole on a hit), the Stopwatch timestamp it stops being valid at, its
/// verdict, its claims, and the values <c>forward_claims</c> sends (null where the claim is absent or not a valid
/// field value), in the order of <c>forward_claims</c>; and the key set that validated it, so a token whose key has
/// since left the JWKS (a refresh makes a new set) is checked again rather than answered from the cache.
/// </summary>
internal sealed class JwtCacheEntry(byte[] token, ulong hash, long expiresAt, JwtVerdict verdict, JwtClaims claims, byte[]?[] forwarded, JwtKeySet keys)
{
    public byte[] Token { get; } = token;
    public ulong Hash { get; } = hash;
    public long ExpiresAt { get; } = expiresAt;
    public JwtVerdict Verdict { get; } = verdict;
    public JwtClaims Claims { get; } = claims;
    public byte[]?[] Forwarded { get; } = forwarded;
    public JwtKeySet Keys { get; } = keys;
}
