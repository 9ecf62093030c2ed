using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace FastGate.Routing;

/// <summary>
/// A compiled host pattern: any host (null or "*"), an exact name, or "*.example.com" (one or more labels before the suffix).
/// Compared ASCII case-insensitively against the Host header with its port removed.
/// </summary>
public sealed class HostPattern
{
    public static readonly HostPattern Any = new(HostPatternKind.Any, null, []);

    private readonly byte[] _bytes;

    private HostPattern(HostPatternKind kind, string? text, byte[] bytes)
    {
        Kind = kind;
        Text = text;
        _bytes = bytes;
    }

    public HostPatternKind Kind { get; }

    /// <summary>The pattern as written, or null for any host.</summary>
    public string? Text { get; }

    /// <summary>Lower-case name for an exact pattern, ".suffix" for a wildcard; used for equality and ordering.</summary>
    public string Key => Encoding.ASCII.GetString(_bytes);

    /// <summary>Length of the compared bytes; a longer wildcard suffix is more specific.</summary>
    public int Length => _bytes.Length;

    public static HostPattern Parse(string? text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException($"invalid host pattern \"{text}\": {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out HostPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        if (text is null || text.Trim() == "*")
        {
            pattern = Any;
            error = null;
            return true;
        }
        var name = text.Trim().ToLowerInvariant();
        var wildcard = name.StartsWith("*.", StringComparison.Ordinal);
        var body = wildcard ? name[2..] : name;
        if (body.StartsWith('[') && body.EndsWith(']') && !wildcard)
        {
            body = body[1..^1];
            if (!IPAddress.TryParse(body, out _)) { error = "invalid IPv6 address"; return false; }
        }
        else if (!IsHostName(body, out error))
        {
            return false;
        }
        error = null;
        pattern = wildcard
            ? new HostPattern(HostPatternKind.Wildcard, text, Encoding.ASCII.GetBytes("." + body))
            : new HostPattern(HostPatternKind.Exact, text, Encoding.ASCII.GetBytes(body.TrimEnd('.')));
        return true;
    }

    private static bool IsHostName(string name, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (name.Length == 0) { error = "empty host name"; return false; }
        if (name.Contains(':')) { error = "must not include a port (IPv6 addresses go in brackets)"; return false; }
        if (name.Contains('*')) { error = "\"*\" is only allowed as a leading \"*.\" label"; return false; }
        if (name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal)) { error = "empty label"; return false; }
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && c != '_')
            {
                error = $"invalid character '{c}'";
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether a host (already stripped by <see cref="StripPort"/>) matches. Allocates nothing.</summary>
    public bool Matches(ReadOnlySpan<byte> host) => Kind switch
    {
        HostPatternKind.Exact => System.Text.Ascii.EqualsIgnoreCase(host, _bytes),
        HostPatternKind.Wildcard => host.Length > _bytes.Length
            && System.Text.Ascii.EqualsIgnoreCase(host[^_bytes.Length..], _bytes),
        _ => true,
    };

    /// <summary>
    /// The host name of a Host header value: without ":port", without IPv6 brackets and without a trailing dot.
    /// </summary>
    public static ReadOnlySpan<byte> StripPort(ReadOnlySpan<byte> host)
    {
        if (!host.IsEmpty && host[0] == (byte)'[')
        {
            var close = host.IndexOf((byte)']');
            return close > 0 ? host[1..close] : host;
        }
        var colon = host.LastIndexOf((byte)':');
        if (colon >= 0) host = host[..colon];
        if (!host.IsEmpty && host[^1] == (byte)'.') host = host[..^1];
        return host;
    }

    /// <summary>Negative when <paramref name="a"/> is more specific: exact, then wildcard (longer suffix first), then any.</summary>
    public static int CompareSpecificity(HostPattern a, HostPattern b)
    {
        var c = a.Kind.CompareTo(b.Kind);
        return c != 0 ? c : b.Length.CompareTo(a.Length);
    }

    public override string ToString() => Text ?? "*";
}
