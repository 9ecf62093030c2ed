namespace FastGate.Policies.Jwt;

/// <summary>The JWS algorithms <c>algorithms</c> may list (RFC 7518 3.1), and the key each needs. <c>none</c> is never one.</summary>
internal static class JwtAlgorithms
{
    public static readonly string[] Names =
        ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public static bool IsKnown(string alg) => Array.IndexOf(Names, alg) >= 0;

    public static JwtKeyKind KeyKind(string alg) => alg[0] switch
    {
        'H' => JwtKeyKind.Symmetric,
        'E' => JwtKeyKind.EllipticCurve,
        _ => JwtKeyKind.Rsa,
    };

    /// <summary>The JWK curve name an ES algorithm signs with (RFC 7518 3.4), or null for the others.</summary>
    public static string? Curve(string alg) => alg switch
    {
        "ES256" => "P-256",
        "ES384" => "P-384",
        "ES512" => "P-521",
        _ => null,
    };
}
