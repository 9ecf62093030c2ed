using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace FastGate.Policies.Jwt;

/// <summary>Turns key material (a PEM public key, a JWKS document, a secret) into <see cref="JwtKey"/>s; errors are messages.</summary>
internal static class JwtKeyReader
{
    /// <summary>An RSA or EC public key in PEM (<c>BEGIN PUBLIC KEY</c> or <c>BEGIN RSA PUBLIC KEY</c>).</summary>
    public static JwtKey? Pem(string text, out string error)
    {
        error = "";
        if (!PemEncoding.TryFind(text, out var fields))
        {
            error = "no PEM block found (expected -----BEGIN PUBLIC KEY-----)";
            return null;
        }
        var label = text[fields.Label];
        if (label is not ("PUBLIC KEY" or "RSA PUBLIC KEY"))
        {
            error = $"a \"{label}\" PEM block; a public key is expected (-----BEGIN PUBLIC KEY-----), never a private key or certificate";
            return null;
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            return new JwtKey(null, JwtKeyKind.Rsa, null, new RsaSecurityKey(rsa));
        }
        catch (CryptographicException)
        {
            // not RSA: try EC below
        }
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            var curve = Curve(ec.KeySize);
            if (curve is null)
            {
                error = $"an EC key of {ec.KeySize} bits; ES256/384/512 need P-256, P-384 or P-521";
                return null;
            }
            return new JwtKey(null, JwtKeyKind.EllipticCurve, curve, new ECDsaSecurityKey(ec));
        }
        catch (CryptographicException ex)
        {
            error = $"not an RSA or EC public key: {ex.Message}";
            return null;
        }
    }

    /// <summary>The signing keys of a JWKS document (RFC 7517): RSA and EC keys whose <c>use</c> is absent or "sig".</summary>
    public static JwtKeySet? Jwks(string json, out string error)
    {
        error = "";
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException)
        {
            error = $"not a JWKS document: {ex.Message}";
            return null;
        }
        var keys = new List<JwtKey>();
        foreach (var jwk in set.Keys)
        {
            if (!string.IsNullOrEmpty(jwk.Use) && jwk.Use != "sig") continue;
            if (jwk.Kty == "RSA" && !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E))
                keys.Add(new JwtKey(Kid(jwk), JwtKeyKind.Rsa, null, jwk));
            else if (jwk.Kty == "EC" && jwk.Crv is ("P-256" or "P-384" or "P-521") && !string.IsNullOrEmpty(jwk.X) && !string.IsNullOrEmpty(jwk.Y))
                keys.Add(new JwtKey(Kid(jwk), JwtKeyKind.EllipticCurve, jwk.Crv, jwk));
        }
        if (keys.Count == 0)
        {
            error = "the JWKS has no RSA or EC signing key";
            return null;
        }
        return new JwtKeySet([.. keys]);
    }

    public static JwtKey Secret(byte[] secret) => new(null, JwtKeyKind.Symmetric, null, new SymmetricSecurityKey(secret));

    private static string? Kid(JsonWebKey jwk) => string.IsNullOrEmpty(jwk.Kid) ? null : jwk.Kid;

    private static string? Curve(int bits) => bits switch
    {
        256 => "P-256",
        384 => "P-384",
        521 => "P-521",
        _ => null,
    };
}
