using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FastGate.Tests.Policies;

/// <summary>
/// A signing key for one JWS algorithm made in the test (HMAC secret, RSA 2048, or EC on the algorithm's curve),
/// its public half as PEM or JWK, and tokens signed with it (by the library, or by hand for forged ones).
/// </summary>
internal sealed class JwtKeys
{
    public const string Issuer = "https://id.example.com/";
    public const string Audience = "api";
    public const string Secret = "a-test-secret-of-sixty-four-bytes-so-HS512-accepts-it-0123456789";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public JwtKeys(string alg, string? kid = null)
    {
        Alg = alg;
        Kid = kid;
        switch (alg[0])
        {
            case 'H':
                Key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret));
                break;
            case 'E':
                Ec = ECDsa.Create(alg switch { "ES256" => ECCurve.NamedCurves.nistP256, "ES384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 });
                Key = new ECDsaSecurityKey(Ec) { KeyId = kid };
                PublicPem = Ec.ExportSubjectPublicKeyInfoPem();
                break;
            default:
                Rsa = RSA.Create(2048);
                Key = new RsaSecurityKey(Rsa) { KeyId = kid };
                PublicPem = Rsa.ExportSubjectPublicKeyInfoPem();
                break;
        }
        if (Key is SymmetricSecurityKey) Key.KeyId = kid;
    }

    public string Alg { get; }
    public string? Kid { get; }
    public SecurityKey Key { get; }
    public RSA? Rsa { get; }
    public ECDsa? Ec { get; }
    public string? PublicPem { get; }

    /// <summary>The public key as a JWK object (RSA or EC), for a JWKS document.</summary>
    public Dictionary<string, string> Jwk()
    {
        if (Rsa is not null)
        {
            var p = Rsa.ExportParameters(false);
            return new() { ["kty"] = "RSA", ["kid"] = Kid!, ["use"] = "sig", ["n"] = Base64Url.Encode(p.Modulus!), ["e"] = Base64Url.Encode(p.Exponent!) };
        }
        var e = Ec!.ExportParameters(false);
        var crv = Alg switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" };
        return new() { ["kty"] = "EC", ["kid"] = Kid!, ["crv"] = crv, ["x"] = Base64Url.Encode(e.Q.X!), ["y"] = Base64Url.Encode(e.Q.Y!) };
    }

    public static string JwksJson(params JwtKeys[] keys) => JsonSerializer.Serialize(new { keys = keys.Select(k => k.Jwk()).ToArray() });

    /// <summary>A token signed by the library; times relative to now.</summary>
    public string Token(string issuer = Issuer, string audience = Audience, TimeSpan? expiresIn = null, TimeSpan? notBefore = null,
        IDictionary<string, object>? claims = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now + (notBefore ?? TimeSpan.FromMinutes(-1)),
            Expires = expires,
            Claims = claims ?? new Dictionary<string, object> { ["sub"] = "alice" },
            SigningCredentials = new SigningCredentials(Key, Alg),
        });
    }

    /// <summary>A token made by hand: any header and payload JSON, signed with HMAC-SHA256 over <paramref name="hmacKey"/> (or unsigned).</summary>
    public static string Handmade(string headerJson, string payloadJson, byte[]? hmacKey)
    {
        var input = $"{Base64Url.Encode(Encoding.UTF8.GetBytes(headerJson))}.{Base64Url.Encode(Encoding.UTF8.GetBytes(payloadJson))}";
        var signature = hmacKey is null ? "" : Base64Url.Encode(HMACSHA256.HashData(hmacKey, Encoding.ASCII.GetBytes(input)));
        return $"{input}.{signature}";
    }

    public static string Payload(string sub = "alice", string issuer = Issuer, string audience = Audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["iss"] = issuer, ["aud"] = audience, ["sub"] = sub, ["nbf"] = now - 60, ["exp"] = now + 3600 });
    }

    /// <summary>A <c>[policies.auth]</c> jwt table for this key (an HS secret inline, else its PEM file) with the test issuer and audience, plus <paramref name="extra"/> lines.</summary>
    public string AuthPolicy(string extra = "") => $$"""
        [policies.auth]
        type = "jwt"
        issuer = "{{Issuer}}"
        audience = "{{Audience}}"
        {{SourceConfig("")}}
        algorithms = ["{{Alg}}"]
        {{extra}}
        """;

    /// <summary>The config key source for this key: a secret, or the PEM written to a temp file.</summary>
    public string SourceConfig(string directory)
    {
        if (PublicPem is null) return $"secret = \"{Secret}\"";
        var path = Path.Combine(directory, $"{Alg}-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, PublicPem);
        return $"public_key_file = \"{path}\"";
    }

    private static class Base64Url
    {
        public static string Encode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }
}
