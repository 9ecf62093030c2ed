namespace FastGate.Http;

/// <summary>
/// The path that is routed and forwarded, normalised as RFC 3986 §6.2.2 describes: percent-encoded unreserved
/// characters decoded, other escapes upper-cased, dot segments removed (§5.2.4, "%2e" counts as "."), "//" merged
/// when configured. Allocation-free: it writes into a buffer the caller owns, never longer than the input.
/// </summary>
internal static class PathNormalizer
{
    /// <summary>
    /// Whether <paramref name="path"/> may change at all: it has a '%', a "." or ".." segment, or (merging) a "//".
    /// One pass over the slashes; most paths need nothing more.
    /// </summary>
    public static bool NeedsNormalizing(ReadOnlySpan<byte> path, bool mergeSlashes)
    {
        var pos = 0;
        while (true)
        {
            var i = path[pos..].IndexOfAny((byte)'/', (byte)'%');
            if (i < 0) return false;
            pos += i;
            if (path[pos] == '%') return true;
            var rest = path[(pos + 1)..];
            if (mergeSlashes && rest.StartsWith((byte)'/')) return true;
            if (rest.StartsWith("."u8) && IsDotSegment(rest[..SegmentLength(rest)])) return true;
            pos++;
        }
    }

    /// <summary>
    /// Writes the normal form of <paramref name="path"/> (which starts with '/') into <paramref name="output"/>, which
    /// must hold at least as many bytes. Returns the length written, or a negated <see cref="RequestRejection"/> for a bad escape
    /// ("%zz", "%2", a trailing '%'), an encoded NUL, an encoded slash or backslash under
    /// <see cref="EscapedSlashHandling.Reject"/>, or a ".." that climbs above the root (nginx answers that with 400 too,
    /// rather than dropping it as RFC 3986 §5.2.4 would).
    /// </summary>
    public static int Normalize(ReadOnlySpan<byte> path, Span<byte> output, EscapedSlashHandling escapedSlashes, bool mergeSlashes)
    {
        var read = 0;
        var written = 0;
        var separatorLength = 1;
        while (read < path.Length)
        {
            read += separatorLength;
            var segmentStart = written;
            output[written++] = (byte)'/';
            separatorLength = CopySegment(path, ref read, output, ref written, escapedSlashes);
            if (separatorLength < 0) return separatorLength;

            var last = read >= path.Length;
            var segment = output[(segmentStart + 1)..written];
            if (IsDotSegment(segment))
            {
                written = segmentStart;
                if (segment.Length == 2)
                {
                    if (written == 0) return -(int)RequestRejection.PathAboveRoot;
                    written = output[..written].LastIndexOf((byte)'/');
                }
                if (last) output[written++] = (byte)'/';
            }
            else if (segment.IsEmpty && mergeSlashes && !last)
            {
                written = segmentStart;
            }
        }
        return written;
    }

    /// <summary>
    /// Copies one segment, decoded, up to the next separator. Returns the separator's length (1 for "/", 3 for a
    /// decoded "%2F"; 0 at the end), or the negated <see cref="RequestRejection"/> when the segment is invalid.
    /// </summary>
    private static int CopySegment(ReadOnlySpan<byte> path, ref int read, Span<byte> output, ref int written,
        EscapedSlashHandling escapedSlashes)
    {
        while (read < path.Length)
        {
            var c = path[read];
            if (c == '/') return 1;
            if (c != '%')
            {
                output[written++] = c;
                read++;
                continue;
            }
            if (!PercentEncoding.IsEscape(path, read)) return -(int)RequestRejection.BadPercentEscape;
            var decoded = PercentEncoding.Decode(path, read);
            if (decoded == 0) return -(int)RequestRejection.EncodedNul;
            if (decoded is (byte)'/' or (byte)'\\')
            {
                if (escapedSlashes == EscapedSlashHandling.Reject) return -(int)RequestRejection.EncodedSlash;
                if (escapedSlashes == EscapedSlashHandling.Decode) return 3;
            }
            if (IsUnreserved(decoded))
            {
                output[written++] = decoded;
            }
            else
            {
                output[written++] = (byte)'%';
                output[written++] = UpperHex(path[read + 1]);
                output[written++] = UpperHex(path[read + 2]);
            }
            read += 3;
        }
        return 0;
    }

    private static bool IsDotSegment(ReadOnlySpan<byte> segment) => segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8);

    private static int SegmentLength(ReadOnlySpan<byte> rest)
    {
        var slash = rest.IndexOf((byte)'/');
        return slash < 0 ? rest.Length : slash;
    }

    private static bool IsUnreserved(byte c) => char.IsAsciiLetterOrDigit((char)c) || c is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    private static byte UpperHex(byte c) => c >= 'a' ? (byte)(c - 32) : c;
}
