using System.Buffers.Text;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>HTTP-date (IMF-fixdate, RFC 9110 §5.6.7) to Unix seconds, over bytes.</summary>
internal static class HttpDate
{
    /// <summary>Unix seconds, or -1 when <paramref name="value"/> is not an IMF-fixdate.</summary>
    public static long Parse(ReadOnlySpan<byte> value)
    {
        value = HttpChars.TrimOws(value);
        return Utf8Parser.TryParse(value, out DateTimeOffset date, out var consumed, 'R') && consumed == value.Length
            ? date.ToUnixTimeSeconds()
            : -1;
    }
}
