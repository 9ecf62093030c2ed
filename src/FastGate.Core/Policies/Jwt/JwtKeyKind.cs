namespace FastGate.Policies.Jwt;

/// <summary>The kind of key an algorithm needs; a token whose alg needs another kind than the key is refused.</summary>
internal enum JwtKeyKind : byte
{
    /// <summary>HS*: a shared secret.</summary>
    Symmetric,
    /// <summary>RS* and PS*: an RSA public key.</summary>
    Rsa,
    /// <summary>ES*: an EC public key on the algorithm's curve.</summary>
    EllipticCurve,
}
