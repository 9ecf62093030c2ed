namespace FastGate.Policies.Jwt;

/// <summary>A JWT policy as bound: what a token must satisfy and what is done with its claims.</summary>
internal sealed record JwtOptions(
    string? Issuer,
    string[] Audiences,
    string[] Algorithms,
    TimeSpan ClockSkew,
    string[] RequiredClaims,
    string[] RequiredScopes,
    JwtForward[] Forward,
    byte[]? Cookie);
