using System.Buffers;

namespace FastGate.Http;

/// <summary>
/// Finds the end of a message head (the empty line) while enforcing the line rules every head shares:
/// each line ends in CRLF (a bare LF or bare CR is an error, the moment it shows), the first line and the field
/// block stay within limits. Resumable: a pipe may hand the head over one byte at a time, across many segments, and
/// no byte is scanned or copied twice, so such a head costs linear work.
/// </summary>
internal struct HeadScanner
{
    private const int MaxLeadingEmptyLines = 4;

    private int _scanned;
    private int _lineStart;
    private int _firstLineEnd;
    private int _lines;
    private int _leadingLines;
    private byte[] _linear;
    private int _linearized;

    /// <summary>Offset of the first line (after ignored leading empty lines).</summary>
    public int HeadStart { get; private set; }

    /// <summary>Offset just past the first line's CRLF, once seen.</summary>
    public readonly int FirstLineEnd => _firstLineEnd;

    /// <summary>Size of the scratch buffer that multi-segment heads are copied into.</summary>
    public readonly int ScratchLength => _linear?.Length ?? 0;

    /// <summary>Bytes searched and copied over this scanner's life: the work the head cost, for tests to bound.</summary>
    public long BytesExamined { get; private set; }

    /// <summary>
    /// Scans the head at the start of <paramref name="buffer"/> (see <see cref="Scan"/>), looking at no more than
    /// <paramref name="max"/> bytes; <paramref name="data"/> is the head's bytes as one span. When the pipe holds the
    /// head in its first segment (nearly always) nothing is copied; otherwise the bytes are copied into a scratch
    /// buffer a block at a time, only as far as the head goes: a small head followed by a body the pipe already
    /// holds costs a few kilobytes of scratch, not a copy of the body. Each call copies only the bytes that arrived
    /// since the last one (the buffer must start where the previous call's started, as the head is unconsumed).
    /// </summary>
    public int ScanHead(in ReadOnlySequence<byte> buffer, int max, int maxFirstLine, int maxFieldBytes, int maxFields,
        out ReadOnlySpan<byte> data)
    {
        int end;
        if (buffer.IsSingleSegment || (_linearized == 0 && _scanned < buffer.FirstSpan.Length))
        {
            _linearized = 0;
            data = buffer.FirstSpan;
            end = Scan(data, maxFirstLine, maxFieldBytes, maxFields);
            if (end != 0 || buffer.IsSingleSegment) return end;
        }
        var total = (int)Math.Min(buffer.Length, max);
        // Bytes past max were scanned without an end in sight: the head is larger than any limit allows.
        if (total < _scanned) { data = default; return -(int)RequestRejection.HeaderBlockTooLarge; }
        while (true)
        {
            var wanted = Math.Min(total, (Math.Max(_scanned, _linearized) / ScratchStep + 1) * ScratchStep);
            data = Contiguous(buffer, wanted);
            end = Scan(data, maxFirstLine, maxFieldBytes, maxFields);
            if (end != 0 || wanted == total) return end;
        }
    }

    private const int ScratchStep = 4096;

    private ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> buffer, int length)
    {
        if (length < _linearized) _linearized = 0;
        _linear ??= [];
        if (_linear.Length < length)
        {
            // Grown geometrically, keeping what was copied, so a head arriving byte by byte is copied once.
            var grown = new byte[Math.Max(length, Math.Min(Math.Max(ScratchStep, _linear.Length * 2), length + ScratchStep))];
            _linear.AsSpan(0, _linearized).CopyTo(grown);
            _linear = grown;
        }
        if (length > _linearized)
        {
            buffer.Slice(_linearized, length - _linearized).CopyTo(_linear.AsSpan(_linearized));
            BytesExamined += length - _linearized;
            _linearized = length;
        }
        return _linear.AsSpan(0, length);
    }

    public void Reset()
    {
        _scanned = _lineStart = HeadStart = _lines = _leadingLines = _linearized = 0;
        _firstLineEnd = -1;
    }

    /// <summary>
    /// Scans <paramref name="data"/>, which starts where the previous call's data started and may have grown.
    /// Returns the offset just past the head's empty line, 0 when more bytes are needed, or the negated
    /// <see cref="RequestRejection"/> of the error (a bad line ending, a first line too long, fields too large or too many).
    /// </summary>
    private int Scan(ReadOnlySpan<byte> data, int maxFirstLine, int maxFieldBytes, int maxFields)
    {
        var pos = _scanned;
        BytesExamined += data.Length - pos;
        while (true)
        {
            var idx = data[pos..].IndexOfAny((byte)'\r', (byte)'\n');
            if (idx >= 0 && data[pos + idx] == '\n') return -(int)RequestRejection.BareLineFeed;
            var lf = idx < 0 ? -1 : pos + idx + 1;
            if (lf < 0 || lf == data.Length)
            {
                // A CR that ends the data is looked at again with the byte that follows it.
                _scanned = lf < 0 ? data.Length : lf - 1;
                // a field line starting with whitespace (obs-fold) is refused as soon as it shows, not when the head ends
                if (_firstLineEnd >= 0 && _lineStart < data.Length && (data[_lineStart] == ' ' || data[_lineStart] == '\t'))
                    return -(int)RequestRejection.ObsoleteLineFolding;
                if (_firstLineEnd < 0)
                    return data.Length - HeadStart > maxFirstLine + 1 ? -(int)RequestRejection.RequestLineTooLong : 0;
                return data.Length - _firstLineEnd > maxFieldBytes + 1 ? -(int)RequestRejection.HeaderBlockTooLarge : 0;
            }
            // A CR must be followed by LF (RFC 9112 §2.2); a bare one is refused as soon as the next byte shows.
            if (data[lf] != '\n') return -(int)RequestRejection.BareCarriageReturn;

            var lineLength = lf - 1 - _lineStart;
            pos = lf + 1;

            if (_firstLineEnd < 0)
            {
                if (lineLength == 0)
                {
                    if (++_leadingLines > MaxLeadingEmptyLines) return -(int)RequestRejection.LeadingEmptyLines;
                    HeadStart = pos;
                }
                else if (lineLength > maxFirstLine) return -(int)RequestRejection.RequestLineTooLong;
                else _firstLineEnd = pos;
            }
            else
            {
                if (pos - _firstLineEnd > maxFieldBytes + 2) return -(int)RequestRejection.HeaderBlockTooLarge;
                if (lineLength == 0)
                {
                    _scanned = pos;
                    return pos;
                }
                if (++_lines > maxFields) return -(int)RequestRejection.TooManyHeaders;
            }
            _lineStart = pos;
        }
    }
}
