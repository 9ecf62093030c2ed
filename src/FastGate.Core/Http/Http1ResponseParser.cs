using System.Buffers;

namespace FastGate.Http;

/// <summary>
/// Parses an upstream's response head and decides its body framing. Strict where a lax reading could desync
/// the connection (framing fields, line endings, field syntax); lenient on the reason phrase.
/// </summary>
public sealed class Http1ResponseParser
{
    private HeadScanner _scanner;

    /// <summary>Size of the scratch buffer that multi-segment heads are copied into.</summary>
    internal int ScratchLength => _scanner.ScratchLength;

    /// <summary>Bytes of input this parser has searched or copied so far (never reset).</summary>
    internal long BytesExamined => _scanner.BytesExamined;

    public Http1ResponseParser() => _scanner.Reset();

    public void Reset() => _scanner.Reset();

    /// <param name="requestMethod">HEAD responses never have a body.</param>
    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, ResponseHead head, HttpMethod requestMethod,
        int maxHeadBytes, out int consumed)
    {
        consumed = 0;
        var end = _scanner.ScanHead(buffer, maxHeadBytes + 64, maxHeadBytes, maxHeadBytes, 1000, out var data);
        if (end == 0) return ParseStatus.Incomplete;
        if (end < 0) return ParseStatus.Error;

        var start = _scanner.HeadStart;
        var firstLineEnd = _scanner.FirstLineEnd - start;
        _scanner.Reset();
        head.Reset();
        var headLength = end - start;
        data[start..end].CopyTo(head.EnsureBuffer(headLength));
        head.Length = headLength;
        consumed = end;
        return Parse(head, firstLineEnd, requestMethod) ? ParseStatus.Complete : ParseStatus.Error;
    }

    internal static bool Parse(ResponseHead head, int firstLineEnd, HttpMethod requestMethod)
    {
        var line = head.Buffer.AsSpan(0, firstLineEnd - 2);
        // HTTP/1.x SP 3DIGIT [ SP reason ]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || (line[7] != '0' && line[7] != '1') || line[8] != ' ')
            return false;
        var code = line.Slice(9, 3);
        if (code.ContainsAnyExceptInRange((byte)'0', (byte)'9') || code[0] == '0') return false;
        if (line.Length > 12 && line[12] != ' ') return false;
        var reason = line.Length > 12 ? line[13..] : default;
        if (reason.ContainsAny(HttpChars.InvalidFieldValue)) return false;
        head.VersionMinor = line[7] - '0';
        head.StatusCode = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        head.StatusStart = 9;
        head.StatusLineEnd = firstLineEnd - 2;

        if (!HeadFields.ParseAll(head, firstLineEnd)) return false;
        return ApplyFieldSemantics(head, requestMethod);
    }

    private static bool ApplyFieldSemantics(ResponseHead head, HttpMethod requestMethod)
    {
        var connection = default(ConnectionTokens);
        var transferEncoding = false;
        for (var i = 0; i < head.FieldCount; i++)
        {
            var value = head.Value(i);
            switch (head.Field(i).Known)
            {
                case KnownHeader.ContentLength:
                    if (!HeadFields.MergeContentLength(head, value)) return false;
                    break;
                case KnownHeader.TransferEncoding:
                    transferEncoding = true;
                    head.Chunked = EndsWithChunked(value); // a later field's codings follow this one's
                    if (!KnownHeaders.Is(HttpChars.TrimOws(value), "chunked"u8)) head.HasOtherTransferCodings = true;
                    break;
                case KnownHeader.Connection:
                    HeadFields.ScanConnection(value, ref connection);
                    break;
            }
        }
        if (connection.Other) HeadFields.DropFieldsNamedInConnection(head);
        head.KeepAlive = !connection.Close && (head.VersionMinor == 1 || connection.KeepAlive);

        var status = head.StatusCode;
        if (requestMethod == HttpMethod.Head || status < 200 || status == 204 || status == 304)
        {
            head.Framing = ResponseFraming.None;
        }
        else if (transferEncoding)
        {
            // A response with both framings is a smuggling vector: use chunked (or close) and never reuse the connection.
            if (head.ContentLength >= 0) head.KeepAlive = false;
            head.ContentLength = -1;
            head.Framing = head.Chunked ? ResponseFraming.Chunked : ResponseFraming.CloseDelimited;
            if (!head.Chunked) head.KeepAlive = false;
        }
        else if (head.ContentLength >= 0)
        {
            head.Framing = ResponseFraming.ContentLength;
        }
        else
        {
            head.Framing = ResponseFraming.CloseDelimited;
            head.KeepAlive = false;
        }
        return true;
    }

    private static bool EndsWithChunked(ReadOnlySpan<byte> value)
    {
        var comma = value.LastIndexOf((byte)',');
        var last = HttpChars.TrimOws(comma < 0 ? value : value[(comma + 1)..]);
        return KnownHeaders.Is(last, "chunked"u8);
    }
}
