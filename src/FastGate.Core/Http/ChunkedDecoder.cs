using System.Buffers;

namespace FastGate.Http;

/// <summary>
/// Strict, resumable decoder of a chunked body (RFC 9112 §7.1) that writes what it decodes to the next hop:
/// re-framed as clean chunks (extensions dropped, trailers kept) or as the bare data.
/// </summary>
public struct ChunkedDecoder
{
    private const int MaxSizeLine = 4096;
    private const int MaxHexDigits = 15;

    private enum State : byte { SizeLine, Data, DataEnd, Trailers, Done }

    private State _state;
    private long _remaining;
    private int _trailerBytes;

    public readonly bool IsDone => _state == State.Done;

    /// <summary>Data bytes decoded so far (framing excluded), for body size limits.</summary>
    public long DataBytes { get; private set; }

    public void Reset()
    {
        _state = State.SizeLine;
        _remaining = 0;
        _trailerBytes = 0;
        DataBytes = 0;
    }

    /// <summary>
    /// Decodes what <paramref name="buffer"/> holds. <paramref name="consumed"/> says how far the input was used;
    /// the rest must be offered again with more bytes appended.
    /// </summary>
    /// <param name="reframe">true: write chunk framing and trailers; false: write the data only.</param>
    public ParseStatus Decode(in ReadOnlySequence<byte> buffer, IBufferWriter<byte> output, bool reframe,
        int maxTrailerBytes, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            while (true)
            {
                switch (_state)
                {
                    case State.SizeLine:
                        if (!reader.TryReadTo(out ReadOnlySequence<byte> sizeLine, (byte)'\n'))
                            return reader.Remaining > MaxSizeLine ? ParseStatus.Error : ParseStatus.Incomplete;
                        if (!TryParseSizeLine(sizeLine, out _remaining)) return ParseStatus.Error;
                        if (_remaining == 0)
                        {
                            if (reframe) output.Write("0\r\n"u8);
                            _state = State.Trailers;
                        }
                        else
                        {
                            if (reframe) WriteHex(output, _remaining);
                            _state = State.Data;
                        }
                        break;

                    case State.Data:
                        if (reader.End) return ParseStatus.Incomplete;
                        var take = (int)Math.Min(_remaining, reader.UnreadSpan.Length);
                        output.Write(reader.UnreadSpan[..take]);
                        reader.Advance(take);
                        _remaining -= take;
                        DataBytes += take;
                        if (_remaining == 0) _state = State.DataEnd;
                        break;

                    case State.DataEnd:
                        if (reader.Remaining < 2) return ParseStatus.Incomplete;
                        if (!reader.IsNext("\r\n"u8, advancePast: true)) return ParseStatus.Error;
                        if (reframe) output.Write("\r\n"u8);
                        _state = State.SizeLine;
                        break;

                    case State.Trailers:
                        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
                            return _trailerBytes + reader.Remaining > maxTrailerBytes ? ParseStatus.Error : ParseStatus.Incomplete;
                        _trailerBytes += (int)line.Length + 1;
                        if (_trailerBytes > maxTrailerBytes || !IsValidTrailerLine(line, out var empty)) return ParseStatus.Error;
                        if (reframe)
                        {
                            foreach (var segment in line) output.Write(segment.Span);
                            output.Write("\n"u8);
                        }
                        if (empty)
                        {
                            _state = State.Done;
                            return ParseStatus.Complete;
                        }
                        break;

                    default:
                        return ParseStatus.Complete;
                }
            }
        }
        finally
        {
            consumed = reader.Position;
        }
    }

    /// <summary>chunk-size [ chunk-ext ] CR, the LF already stripped.</summary>
    private static bool TryParseSizeLine(ReadOnlySequence<byte> sequence, out long size)
    {
        size = 0;
        if (sequence.Length > MaxSizeLine || sequence.Length < 2) return false;
        // Read in place when contiguous (nearly always); otherwise copy just the line.
        Span<byte> copy = sequence.IsSingleSegment ? default : stackalloc byte[(int)sequence.Length];
        ReadOnlySpan<byte> line = sequence.IsSingleSegment ? sequence.FirstSpan : copy;
        if (!sequence.IsSingleSegment) sequence.CopyTo(copy);
        if (line[^1] != '\r') return false;
        line = line[..^1];

        var digits = line.IndexOfAnyExcept(HttpChars.HexDigits);
        if (digits < 0) digits = line.Length;
        if (digits == 0 || digits > MaxHexDigits) return false;
        foreach (var c in line[..digits]) size = (size << 4) | (long)HexValue(c);
        return IsValidExtensions(line[digits..]);
    }

    /// <summary>*( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )</summary>
    private static bool IsValidExtensions(ReadOnlySpan<byte> ext)
    {
        while (true)
        {
            var trimmed = ext.TrimStart(" \t"u8);
            if (trimmed.IsEmpty) return ext.IsEmpty; // BWS is allowed only before ";", never at the end
            ext = trimmed;
            if (ext[0] != ';') return false;
            ext = ext[1..].TrimStart(" \t"u8);
            if (ext.IsEmpty) return false;
            var nameLength = ext.IndexOfAnyExcept(HttpChars.Token);
            if (nameLength < 0) return true;
            if (nameLength == 0) return false;
            ext = ext[nameLength..].TrimStart(" \t"u8);
            if (ext.IsEmpty || ext[0] != '=') continue;
            ext = ext[1..].TrimStart(" \t"u8);
            if (ext.IsEmpty) return false;
            if (ext[0] == '"')
            {
                var i = 1;
                while (i < ext.Length && ext[i] != '"')
                {
                    if (ext[i] == '\\') i++;
                    else if (ext[i] < 0x20 && ext[i] != '\t' || ext[i] == 0x7f) return false;
                    i++;
                }
                if (i >= ext.Length) return false;
                ext = ext[(i + 1)..];
            }
            else
            {
                var valueLength = ext.IndexOfAnyExcept(HttpChars.Token);
                if (valueLength == 0) return false;
                ext = valueLength < 0 ? default : ext[valueLength..];
            }
        }
    }

    /// <summary>A trailer field line (or the final empty line), CR included, LF stripped.</summary>
    private static bool IsValidTrailerLine(ReadOnlySequence<byte> sequence, out bool empty)
    {
        empty = false;
        if (sequence.Length > 16 * 1024 || sequence.Length < 1) return false;
        Span<byte> copy = sequence.IsSingleSegment ? default : stackalloc byte[(int)sequence.Length];
        ReadOnlySpan<byte> whole = sequence.IsSingleSegment ? sequence.FirstSpan : copy;
        if (!sequence.IsSingleSegment) sequence.CopyTo(copy);
        if (whole[^1] != '\r') return false;
        var line = whole[..^1];
        if (line.IsEmpty)
        {
            empty = true;
            return true;
        }
        var colon = line.IndexOf((byte)':');
        return colon > 0 && HttpChars.IsToken(line[..colon]) && !line[(colon + 1)..].ContainsAny(HttpChars.InvalidFieldValue);
    }

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static void WriteHex(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, "X");
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }
}
