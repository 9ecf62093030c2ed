namespace FastGate.Http;

/// <summary>
/// RFC 3986 <c>uri-host [ ":" port ]</c> (RFC 9110 §7.2, RFC 9112 §3.2): the Host field value and the authority of an
/// absolute-form target. A value that does not match is invalid and the request gets 400.
/// </summary>
internal static class HostSyntax
{
    /// <summary>
    /// A Host field value. Empty is valid: RFC 9112 §3.2 has a client send an empty Host when the target URI has no
    /// authority. A port after ':' may be empty too: RFC 3986 gives <c>port = *DIGIT</c> and RFC 9110 §4.2.3 lists
    /// <c>http://EXAMPLE.com:/</c> as equivalent to the default port, so such a value is well-formed, not an error.
    /// </summary>
    public static bool IsValidHostField(ReadOnlySpan<byte> value) => value.IsEmpty || IsValidAuthority(value);

    /// <summary>
    /// <c>uri-host [ ":" port ]</c> with a non-empty host: an "http" URI with an empty host identifier is invalid
    /// (RFC 9110 §4.2.1), and so is userinfo, which FastGate never accepts in a target (RFC 9110 §4.2.4).
    /// </summary>
    public static bool IsValidAuthority(ReadOnlySpan<byte> authority)
    {
        int hostEnd;
        if (!authority.IsEmpty && authority[0] == (byte)'[')
        {
            var close = authority.IndexOf((byte)']');
            if (close < 0 || !IpLiteralSyntax.IsValid(authority[1..close])) return false;
            hostEnd = close + 1;
        }
        else
        {
            hostEnd = authority.IndexOf((byte)':');
            if (hostEnd < 0) hostEnd = authority.Length;
            if (hostEnd == 0 || !IsRegName(authority[..hostEnd])) return false;
        }
        if (hostEnd == authority.Length) return true;
        return authority[hostEnd] == (byte)':' && !authority[(hostEnd + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>
    /// <c>reg-name = *( unreserved / pct-encoded / sub-delims )</c>. An IPv4address is a reg-name as far as the
    /// characters go, so it needs no check of its own.
    /// </summary>
    private static bool IsRegName(ReadOnlySpan<byte> name)
    {
        var i = name.IndexOfAnyExcept(HttpChars.RegName);
        while (i >= 0)
        {
            if (name[i] != (byte)'%' || !PercentEncoding.IsEscape(name, i)) return false;
            var next = name[(i + 3)..].IndexOfAnyExcept(HttpChars.RegName);
            i = next < 0 ? -1 : i + 3 + next;
        }
        return true;
    }
}
