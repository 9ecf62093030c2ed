using Microsoft.IdentityModel.Tokens;

namespace FastGate.Policies.Jwt;

/// <summary>One verification key: its <c>kid</c> (null when the source gives none), kind, and EC curve ("P-256").</summary>
internal sealed record JwtKey(string? Kid, JwtKeyKind Kind, string? Curve, SecurityKey Key)
{
    /// <summary>True when a token signed with <paramref name="alg"/> may be checked with this key.</summary>
    public bool Fits(string alg) =>
        JwtAlgorithms.KeyKind(alg) == Kind && (Kind != JwtKeyKind.EllipticCurve || JwtAlgorithms.Curve(alg) == Curve);
}
