namespace FastGate.Policies.Jwt;

/// <summary>The keys a source holds now (immutable; a refresh replaces the whole set).</summary>
internal sealed class JwtKeySet(JwtKey[] keys)
{
    public JwtKey[] Keys { get; } = keys;

    /// <summary>
    /// The keys a token with <paramref name="alg"/> and <paramref name="kid"/> may be checked with: those with that
    /// kid (or every key, for a token without one) whose kind fits the alg. <paramref name="kidKnown"/> is false
    /// when the token names a kid no key has (a JWKS may have rotated).
    /// </summary>
    public List<Microsoft.IdentityModel.Tokens.SecurityKey> Candidates(string alg, string? kid, out bool kidKnown)
    {
        var result = new List<Microsoft.IdentityModel.Tokens.SecurityKey>();
        kidKnown = string.IsNullOrEmpty(kid);
        foreach (var key in Keys)
        {
            var sameKid = string.IsNullOrEmpty(kid) || key.Kid is null || key.Kid == kid;
            if (key.Kid is not null && key.Kid == kid) kidKnown = true;
            if (sameKid && key.Fits(alg)) result.Add(key.Key);
        }
        // A key without a kid (a PEM file, an inline secret) answers any kid.
        if (!kidKnown && Array.Exists(Keys, k => k.Kid is null)) kidKnown = true;
        return result;
    }
}
