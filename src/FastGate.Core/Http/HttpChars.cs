using System.Buffers;

namespace FastGate.Http;

/// <summary>Character classes of RFC 9110/9112 as vectorizable search sets.</summary>
internal static class HttpChars
{
    /// <summary>tchar: the characters of a token.</summary>
    public static readonly SearchValues<byte> Token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes never allowed in a field value: CTLs except HTAB, and DEL.</summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    /// <summary>Bytes allowed in a request-target: visible ASCII except '#' (a fragment is never sent).</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(
        "!$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>RFC 3986 unreserved and sub-delims: the bytes of a reg-name besides pct-encoded ones.</summary>
    public static readonly SearchValues<byte> RegName = SearchValues.Create(
        "!$&'()*+,-.0123456789;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>What may follow "v1." in an IPvFuture literal: unreserved, sub-delims and ':'.</summary>
    public static readonly SearchValues<byte> IpvFutureTail = SearchValues.Create(
        "!$&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"u8);

    public static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    public static bool IsToken(ReadOnlySpan<byte> s) => s.Length > 0 && !s.ContainsAnyExcept(Token);

    /// <summary>Strips optional whitespace (SP, HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s) => s.Trim(" \t"u8);
}
