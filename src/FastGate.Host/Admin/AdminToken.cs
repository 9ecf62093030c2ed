using System.Security.Cryptography;
using System.Text;

namespace FastGate.Host.Admin;

/// <summary>Checks <c>Authorization: Bearer &lt;token&gt;</c> against <c>admin.token</c> in constant time.</summary>
internal static class AdminToken
{
    private const string Scheme = "Bearer ";

    /// <summary>True when no token is configured, or the header carries exactly the configured one.</summary>
    public static bool Accepts(string expected, string? authorization)
    {
        if (expected.Length == 0) return true;
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        // Hashing both sides first makes the comparison's time independent of where, and whether, the lengths differ.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization.AsSpan(Scheme.Length).Trim().ToString()));
        var wanted = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(given, wanted);
    }
}
