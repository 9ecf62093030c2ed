namespace FastGate.Http;

/// <summary>RFC 3986 §2.1 <c>pct-encoded = "%" HEXDIG HEXDIG</c>.</summary>
internal static class PercentEncoding
{
    /// <summary>Whether a complete escape starts at <paramref name="at"/> (where a '%' is).</summary>
    public static bool IsEscape(ReadOnlySpan<byte> s, int at) =>
        at + 2 < s.Length && HttpChars.HexDigits.Contains(s[at + 1]) && HttpChars.HexDigits.Contains(s[at + 2]);

    /// <summary>The byte a complete escape at <paramref name="at"/> stands for.</summary>
    public static byte Decode(ReadOnlySpan<byte> s, int at) => (byte)(HexValue(s[at + 1]) << 4 | HexValue(s[at + 2]));

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
