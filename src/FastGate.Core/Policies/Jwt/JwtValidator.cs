using System.Diagnostics;
using System.Text;
using FastGate.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FastGate.Policies.Jwt;

/// <summary>
/// The full check of a token not in the cache (Microsoft.IdentityModel does the cryptography): its alg must be one
/// of <c>algorithms</c> (so never <c>none</c>) and fit the key's kind, the signature must verify with a key of the
/// token's kid, and exp / nbf (with clock_skew), iss and aud must hold. A valid token becomes a cache entry with its
/// verdict (required claims and scopes) and claims as bytes; an invalid one is null.
/// </summary>
internal sealed class JwtValidator
{
    private static readonly JsonWebTokenHandler Handler = new();

    private readonly JwtOptions _options;
    /// <summary>The longest a validation is kept, whatever the token's exp says: a day.</summary>
    private const double MaxCachedSeconds = 86_400;

    private readonly IJwtKeySource _source;
    private readonly TokenValidationParameters _parameters;

    public JwtValidator(JwtOptions options, IJwtKeySource source)
    {
        _options = options;
        _source = source;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidateIssuer = options.Issuer is not null,
            ValidAudiences = options.Audiences,
            ValidateAudience = options.Audiences.Length > 0,
            ValidAlgorithms = options.Algorithms,
            ClockSkew = options.ClockSkew,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = true,
        };
    }

    public async Task<JwtCacheEntry?> ValidateAsync(byte[] token, ulong hash)
    {
        var text = Encoding.ASCII.GetString(token);
        if (!Handler.CanReadToken(text)) return null;
        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(text);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return null;
        }
        if (jwt.IsEncrypted || Array.IndexOf(_options.Algorithms, jwt.Alg) < 0) return null;

        var keys = _source.Keys ?? await _source.LoadAsync().ConfigureAwait(false);
        if (keys is null) return null;
        var candidates = keys.Candidates(jwt.Alg, jwt.Kid, out var kidKnown);
        if (!kidKnown && _source.RefreshForUnknownKid() is { } refresh && await refresh.ConfigureAwait(false) is { } refreshed)
        {
            keys = refreshed;
            candidates = refreshed.Candidates(jwt.Alg, jwt.Kid, out _);
        }
        if (candidates.Count == 0) return null;

        var parameters = _parameters.Clone();
        parameters.IssuerSigningKeys = candidates;
        TokenValidationResult result;
        try
        {
            result = await Handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null; // reported as a result by the library; a throw from a key it could not use is an invalid token too
        }
        if (!result.IsValid) return null;

        var claims = JwtClaims.From(jwt.Claims);
        // In seconds and clamped: an exp near year 9999 (ValidTo is then DateTime.MaxValue) must neither throw nor overflow.
        var remaining = (jwt.ValidTo.ToUniversalTime() - DateTime.UtcNow).TotalSeconds + _options.ClockSkew.TotalSeconds;
        var expiresAt = Stopwatch.GetTimestamp() + (long)(Math.Clamp(remaining, 0, MaxCachedSeconds) * Stopwatch.Frequency);
        return new JwtCacheEntry(token, hash, expiresAt, Verdict(claims), claims, Forwarded(claims), keys);
    }

    private JwtVerdict Verdict(JwtClaims claims)
    {
        foreach (var name in _options.RequiredClaims)
        {
            if (!claims.TryGet(Encoding.UTF8.GetBytes(name), out _)) return JwtVerdict.InsufficientScope;
        }
        if (_options.RequiredScopes.Length == 0) return JwtVerdict.Allowed;
        // "scope" is space-separated (RFC 8693 4.2); "scp" is an array (or a string) in some issuers' tokens.
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in (ReadOnlySpan<string>)["scope", "scp"])
        {
            if (claims.TryGet(Encoding.UTF8.GetBytes(name), out var value))
                granted.UnionWith(Encoding.UTF8.GetString(value).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var scope in _options.RequiredScopes)
        {
            if (!granted.Contains(scope)) return JwtVerdict.InsufficientScope;
        }
        return JwtVerdict.Allowed;
    }

    /// <summary>A claim whose value holds a byte a field value may not (CR, LF, NUL, other CTLs) is never forwarded.</summary>
    private byte[]?[] Forwarded(JwtClaims claims)
    {
        var values = new byte[]?[_options.Forward.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (claims.TryGet(_options.Forward[i].ClaimBytes, out var value) && !value.ContainsAny(HttpChars.InvalidFieldValue))
                values[i] = value.ToArray();
        }
        return values;
    }
}
