using System.Text;

namespace FastGate.Policies.Cors;

/// <summary>
/// One entry of <c>allow_origins</c>: an exact origin (<c>https://app.example.com</c>, <c>http://localhost:3000</c>)
/// or a wildcard <c>https://*.example.com</c>, which matches one or more DNS labels in place of the <c>*</c>
/// (<c>https://a.example.com</c>, <c>https://a.b.example.com</c>), never the bare domain, another scheme or port, or
/// a host that only contains the suffix somewhere (<c>https://x.example.com.attacker.net</c>).
/// </summary>
internal sealed class OriginPattern
{
    private readonly byte[] _exact = [];
    private readonly byte[] _scheme = [];   // "https://"
    private readonly byte[] _suffix = [];   // ".example.com"
    private readonly byte[] _port = [];     // ":8443" or empty

    private OriginPattern(byte[] exact) => _exact = exact;

    private OriginPattern(byte[] scheme, byte[] suffix, byte[] port)
    {
        _scheme = scheme;
        _suffix = suffix;
        _port = port;
        IsWildcard = true;
    }

    public bool IsWildcard { get; }

    public static OriginPattern? Parse(string text, out string error)
    {
        error = "";
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !text[..schemeEnd].All(char.IsAsciiLetter))
        {
            error = "expected scheme://host[:port], e.g. \"https://app.example.com\"";
            return null;
        }
        var authority = text[(schemeEnd + 3)..];
        var colon = authority.LastIndexOf(':');
        var host = colon >= 0 && !authority.EndsWith(']') ? authority[..colon] : authority;
        var port = host.Length < authority.Length ? authority[host.Length..] : "";
        if (port.Length > 0 && (port.Length == 1 || !port[1..].All(char.IsAsciiDigit)))
        {
            error = "the port must be digits";
            return null;
        }
        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        var labels = wildcard ? host[2..] : host;
        if (!IsHost(labels) && !(labels.StartsWith('[') && labels.EndsWith(']') && !wildcard))
        {
            error = "no path, query or trailing slash; the host is DNS labels (a '*' only as the whole first label: \"https://*.example.com\")";
            return null;
        }
        if (wildcard && !labels.Contains('.'))
        {
            error = "a wildcard needs at least two labels after \"*.\" (\"https://*.example.com\")";
            return null;
        }
        var lower = text.ToLowerInvariant();
        if (!wildcard) return new OriginPattern(Encoding.ASCII.GetBytes(lower));
        return new OriginPattern(Encoding.ASCII.GetBytes(lower[..(schemeEnd + 3)]), Encoding.ASCII.GetBytes("." + labels.ToLowerInvariant()),
            Encoding.ASCII.GetBytes(port));
    }

    public bool Matches(ReadOnlySpan<byte> origin)
    {
        if (!IsWildcard) return System.Text.Ascii.EqualsIgnoreCase(origin, _exact);
        if (origin.Length <= _scheme.Length || !System.Text.Ascii.EqualsIgnoreCase(origin[.._scheme.Length], _scheme)) return false;
        var authority = origin[_scheme.Length..];
        // The port must be exactly the pattern's (none, or the same digits).
        if (_port.Length > 0)
        {
            if (!authority.EndsWith(_port)) return false;
            authority = authority[..^_port.Length];
        }
        if (authority.Length <= _suffix.Length || !System.Text.Ascii.EqualsIgnoreCase(authority[^_suffix.Length..], _suffix)) return false;
        return IsLabels(authority[..^_suffix.Length]);
    }

    /// <summary>One or more DNS labels separated by dots: nothing else (no ':', '@', '/', empty label) may precede the suffix.</summary>
    private static bool IsLabels(ReadOnlySpan<byte> text)
    {
        var labelLength = 0;
        foreach (var b in text)
        {
            if (b == (byte)'.')
            {
                if (labelLength == 0) return false;
                labelLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-') labelLength++;
            else return false;
        }
        return labelLength > 0;
    }

    private static bool IsHost(string host) => host.Length > 0 && IsLabels(Encoding.ASCII.GetBytes(host)) && host.All(c => c < 0x80);
}
