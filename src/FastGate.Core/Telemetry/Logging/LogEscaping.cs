using System.Buffers;
using System.Text;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// Escapes bytes a client sent so that no log line can be broken or forged through them. JSON: quote, backslash,
/// control characters, DEL and every byte that is not part of valid UTF-8 become <c>\u00XX</c> (or <c>\"</c>,
/// <c>\\</c>); valid UTF-8 is kept. Combined format, as nginx does it: quote, backslash, control characters and every
/// byte from 0x7F up become <c>\xHH</c>. Each writes as much as fits, never half an escape or a UTF-8 sequence.
/// </summary>
internal static class LogEscaping
{
    /// <summary>Bytes either format looks at one by one: controls, quote, backslash, DEL and everything not ASCII.</summary>
    private static readonly SearchValues<byte> Special = SearchValues.Create(SpecialBytes());

    /// <summary>Writes <paramref name="source"/> escaped for a JSON string into <paramref name="destination"/>; returns bytes written.</summary>
    public static int Json(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed) =>
        Utf8Escaped(source, destination, escapeQuotes: true, out consumed);

    /// <summary>
    /// A message of the plain error log: as <see cref="Json"/> (so a newline or a stray byte cannot start a line of its
    /// own) but with quotes and backslashes kept, as the message is not quoted.
    /// </summary>
    public static int Text(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed) =>
        Utf8Escaped(source, destination, escapeQuotes: false, out consumed);

    private static int Utf8Escaped(ReadOnlySpan<byte> source, Span<byte> destination, bool escapeQuotes, out int consumed)
    {
        var read = 0;
        var written = 0;
        while (read < source.Length)
        {
            if (!CopyPlain(source, ref read, destination, ref written)) break;
            if (read == source.Length) break;
            var b = source[read];
            var length = 1;
            var kept = b >= 0x80
                ? Rune.DecodeFromUtf8(source[read..], out _, out length) == OperationStatus.Done
                : !escapeQuotes && b is (byte)'"' or (byte)'\\';
            if (kept)
            {
                if (written + length > destination.Length) break;
                source.Slice(read, length).CopyTo(destination[written..]);
                read += length;
                written += length;
                continue;
            }
            var escape = b is (byte)'"' or (byte)'\\' ? 2 : 6;
            if (written + escape > destination.Length) break;
            destination[written] = (byte)'\\';
            if (escape == 2) destination[written + 1] = b;
            else
            {
                "u00"u8.CopyTo(destination[(written + 1)..]);
                destination[written + 4] = Hex(b >> 4);
                destination[written + 5] = Hex(b & 0xF);
            }
            read++;
            written += escape;
        }
        consumed = read;
        return written;
    }

    /// <summary>Writes <paramref name="source"/> escaped as nginx's combined format does; returns bytes written.</summary>
    public static int Combined(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed)
    {
        var read = 0;
        var written = 0;
        while (read < source.Length)
        {
            if (!CopyPlain(source, ref read, destination, ref written)) break;
            if (read == source.Length) break;
            if (written + 4 > destination.Length) break;
            var b = source[read];
            destination[written] = (byte)'\\';
            destination[written + 1] = (byte)'x';
            destination[written + 2] = Hex(b >> 4);
            destination[written + 3] = Hex(b & 0xF);
            read++;
            written += 4;
        }
        consumed = read;
        return written;
    }

    /// <summary>Copies the run of bytes that need no escaping at <paramref name="read"/>; false when it did not all fit.</summary>
    private static bool CopyPlain(ReadOnlySpan<byte> source, ref int read, Span<byte> destination, ref int written)
    {
        var plain = source[read..].IndexOfAny(Special);
        if (plain < 0) plain = source.Length - read;
        var fits = Math.Min(plain, destination.Length - written);
        source.Slice(read, fits).CopyTo(destination[written..]);
        read += fits;
        written += fits;
        return fits == plain;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static byte[] SpecialBytes()
    {
        var bytes = new List<byte>();
        for (var b = 0; b < 256; b++)
        {
            if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7F) bytes.Add((byte)b);
        }
        return [.. bytes];
    }
}
