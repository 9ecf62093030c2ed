namespace FastGate.Http;

/// <summary>The inside of an RFC 3986 IP-literal: <c>IPv6address / IPvFuture</c> (no zone identifier).</summary>
internal static class IpLiteralSyntax
{
    public static bool IsValid(ReadOnlySpan<byte> literal) =>
        !literal.IsEmpty && (literal[0] is (byte)'v' or (byte)'V' ? IsIpvFuture(literal) : IsIpv6(literal));

    /// <summary><c>"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )</c></summary>
    private static bool IsIpvFuture(ReadOnlySpan<byte> s)
    {
        var dot = s.IndexOf((byte)'.');
        if (dot < 2 || s[1..dot].ContainsAnyExcept(HttpChars.HexDigits)) return false;
        var rest = s[(dot + 1)..];
        return !rest.IsEmpty && !rest.ContainsAnyExcept(HttpChars.IpvFutureTail);
    }

    /// <summary>
    /// Eight 16-bit groups of 1 to 4 hex digits separated by ':', the last two possibly written as an IPv4 address,
    /// with at most one "::" standing for one or more zero groups.
    /// </summary>
    private static bool IsIpv6(ReadOnlySpan<byte> s)
    {
        var groups = 0;
        var compressed = false;
        var pos = 0;
        if (s.StartsWith("::"u8))
        {
            compressed = true;
            pos = 2;
            if (s.Length == 2) return true;
        }
        while (true)
        {
            var rest = s[pos..];
            var colon = rest.IndexOf((byte)':');
            var group = colon < 0 ? rest : rest[..colon];
            if (colon < 0 && group.IndexOf((byte)'.') >= 0)
            {
                if (!IsIpv4(group)) return false;
                groups += 2;
                break;
            }
            if (group.IsEmpty || group.Length > 4 || group.ContainsAnyExcept(HttpChars.HexDigits)) return false;
            groups++;
            if (colon < 0) break;
            pos += colon + 1;
            if (pos < s.Length && s[pos] == (byte)':')
            {
                if (compressed) return false;
                compressed = true;
                pos++;
                if (pos == s.Length) break;
            }
            else if (pos == s.Length) return false; // a single trailing ':'
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /// <summary><c>dec-octet "." dec-octet "." dec-octet "." dec-octet</c>; a dec-octet is 0-255 without leading zeros.</summary>
    private static bool IsIpv4(ReadOnlySpan<byte> s)
    {
        for (var octet = 0; octet < 4; octet++)
        {
            var dot = s.IndexOf((byte)'.');
            var part = octet < 3 ? (dot < 0 ? default : s[..dot]) : s;
            if (octet == 3 && dot >= 0) return false;
            if (part.IsEmpty || part.Length > 3 || part.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
            if (part.Length > 1 && part[0] == (byte)'0') return false;
            var value = 0;
            foreach (var digit in part) value = value * 10 + (digit - '0');
            if (value > 255) return false;
            if (octet < 3) s = s[(dot + 1)..];
        }
        return true;
    }
}
