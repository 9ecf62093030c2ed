using System.Buffers.Text;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>Reads Cache-Control style lists over bytes: <c>name[=token|"quoted"]</c> items separated by commas.</summary>
internal static class CacheControl
{
    /// <summary>
    /// The next directive of <paramref name="list"/> from <paramref name="position"/>: its name and value (quotes
    /// removed, empty when it has none). False at the end.
    /// </summary>
    public static bool Next(ReadOnlySpan<byte> list, ref int position, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        while (position < list.Length)
        {
            var rest = list[position..];
            var end = IndexOfComma(rest);
            var item = HttpChars.TrimOws(end < 0 ? rest : rest[..end]);
            position += end < 0 ? rest.Length : end + 1;
            if (item.IsEmpty) continue;
            var equals = item.IndexOf((byte)'=');
            if (equals < 0)
            {
                name = item;
                return true;
            }
            name = HttpChars.TrimOws(item[..equals]);
            value = HttpChars.TrimOws(item[(equals + 1)..]);
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            return true;
        }
        return false;
    }

    /// <summary>delta-seconds; a value too large for the caller's use is clamped (RFC 9111 §1.2.2), a bad one is -1.</summary>
    public static long Seconds(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return -1;
        foreach (var b in value)
        {
            if (b is < (byte)'0' or > (byte)'9') return -1;
        }
        if (value.Length > 10) return int.MaxValue;
        return Utf8Parser.TryParse(value, out long seconds, out _) ? Math.Min(seconds, int.MaxValue) : -1;
    }

    public static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> known) => System.Text.Ascii.EqualsIgnoreCase(name, known);

    /// <summary>A comma outside quotes.</summary>
    private static int IndexOfComma(ReadOnlySpan<byte> text)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"') quoted = !quoted;
            else if (text[i] == ',' && !quoted) return i;
        }
        return -1;
    }
}
