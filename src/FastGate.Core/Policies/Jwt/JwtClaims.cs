using System.Text;

namespace FastGate.Policies.Jwt;

/// <summary>
/// A validated token's top-level claims as UTF-8 bytes, made once per token (the validation cache keeps them), so
/// <c>forward_claims</c>, <c>{claim:NAME}</c> and <c>key = "claim:NAME"</c> read them without a string per request.
/// A claim that is an array is its items joined by a space; an object is its JSON text.
/// </summary>
public sealed class JwtClaims
{
    private readonly byte[][] _names;
    private readonly byte[][] _values;

    internal JwtClaims(byte[][] names, byte[][] values)
    {
        _names = names;
        _values = values;
    }

    public int Count => _names.Length;

    public bool TryGet(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                value = _values[i];
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The value of <paramref name="name"/>, empty when the token lacks it.</summary>
    public ReadOnlySpan<byte> Get(ReadOnlySpan<byte> name) => TryGet(name, out var value) ? value : default;

    internal static JwtClaims From(IEnumerable<System.Security.Claims.Claim> claims)
    {
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (!byName.TryGetValue(claim.Type, out var values)) byName[claim.Type] = values = [];
            values.Add(claim.Value);
        }
        var names = new byte[byName.Count][];
        var bytes = new byte[byName.Count][];
        var i = 0;
        foreach (var (name, values) in byName)
        {
            names[i] = Encoding.UTF8.GetBytes(name);
            bytes[i++] = Encoding.UTF8.GetBytes(string.Join(' ', values));
        }
        return new JwtClaims(names, bytes);
    }
}
