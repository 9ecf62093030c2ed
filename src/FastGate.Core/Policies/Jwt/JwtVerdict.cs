namespace FastGate.Policies.Jwt;

/// <summary>What a valid token allows, decided once per token and cached with it.</summary>
internal enum JwtVerdict : byte
{
    /// <summary>Valid, with every required claim and scope: the request goes on.</summary>
    Allowed,
    /// <summary>Valid, but a required claim or scope is missing: 403 insufficient_scope.</summary>
    InsufficientScope,
}
