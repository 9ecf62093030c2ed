using System.Buffers;
using System.Buffers.Text;

namespace FastGate.Http;

/// <summary>
/// Strict RFC 9112 request-head parser. One instance per connection; <see cref="TryParse"/> is called with the
/// whole unconsumed input each time more bytes arrive, and copies a complete head into the <see cref="RequestHead"/>.
/// </summary>
public sealed class Http1RequestParser
{
    private HeadScanner _scanner;

    /// <summary>Size of the scratch buffer that multi-segment heads are copied into.</summary>
    internal int ScratchLength => _scanner.ScratchLength;

    /// <summary>Bytes of input this parser has searched or copied so far (never reset).</summary>
    internal long BytesExamined => _scanner.BytesExamined;

    public Http1RequestParser() => _scanner.Reset();

    /// <summary>Why the last <see cref="ParseStatus.Error"/> was returned.</summary>
    public RequestRejection Rejection { get; private set; }

    /// <summary>Forgets a partly scanned head; call before parsing the next request.</summary>
    public void Reset()
    {
        _scanner.Reset();
        Rejection = RequestRejection.None;
    }

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>. On <see cref="ParseStatus.Complete"/>,
    /// <paramref name="consumed"/> bytes (leading empty lines and the head) belong to this request.
    /// </summary>
    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, RequestHead head, HttpLimits limits,
        out int consumed, out int errorStatus)
    {
        consumed = 0;
        errorStatus = 0;
        var end = _scanner.ScanHead(buffer, limits.MaxRequestLineBytes + limits.MaxHeaderBytes + 64,
            limits.MaxRequestLineBytes, limits.MaxHeaderBytes, limits.MaxHeaderCount, out var data);
        if (end == 0) return ParseStatus.Incomplete;
        if (end < 0) return Fail((RequestRejection)(-end), out errorStatus);

        var start = _scanner.HeadStart;
        head.Reset();
        var headLength = end - start;
        var firstLineEnd = _scanner.FirstLineEnd - start;
        // Room for the normalised path after the head: it is never longer than the request line.
        data[start..end].CopyTo(head.EnsureBuffer(headLength + firstLineEnd));
        head.Length = headLength;
        head.FirstLineLength = firstLineEnd - 2;
        var rejection = Parse(head, firstLineEnd, limits);
        _scanner.Reset();
        // nothing is consumed: the connection is closed after the error
        if (rejection != RequestRejection.None) return Fail(rejection, out errorStatus);
        consumed = end;
        return ParseStatus.Complete;
    }

    private ParseStatus Fail(RequestRejection rejection, out int errorStatus)
    {
        Rejection = rejection;
        errorStatus = RequestRejections.StatusOf(rejection);
        return ParseStatus.Error;
    }

    /// <summary>Parses a complete head already copied into the head's buffer. Returns why it is refused, if it is.</summary>
    internal static RequestRejection Parse(RequestHead head, int firstLineEnd, HttpLimits limits)
    {
        var rejection = ParseRequestLine(head, head.Buffer.AsSpan(0, firstLineEnd - 2));
        if (rejection != RequestRejection.None) return rejection;
        rejection = NormalizePath(head, limits);
        if (rejection != RequestRejection.None) return rejection;

        return HeadFields.ParseAll(head, firstLineEnd) ? ApplyFieldSemantics(head) : RequestRejection.InvalidHeaderLine;
    }

    private static RequestRejection ParseRequestLine(RequestHead head, ReadOnlySpan<byte> line)
    {
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0) return RequestRejection.InvalidRequestLine;
        var method = line[..sp1];
        if (!HttpChars.IsToken(method)) return RequestRejection.InvalidMethod;
        head.Method = ParseMethod(method);
        head.MethodLength = sp1;

        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0) return RequestRejection.InvalidRequestLine;
        var target = rest[..sp2];
        var version = rest[(sp2 + 1)..];

        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != '.' || !char.IsAsciiDigit((char)version[7]))
            return RequestRejection.InvalidVersion;
        if (version[5] != '1') return RequestRejection.UnsupportedVersion;
        // A higher 1.x minor is a sender that speaks at least HTTP/1.1 (RFC 9110 §2.5): handled as 1.1.
        head.VersionMinor = version[7] == '0' ? 0 : 1;

        if (target.ContainsAnyExcept(HttpChars.Target)) return RequestRejection.InvalidTargetCharacter;
        head.TargetStart = sp1 + 1;
        head.TargetLength = target.Length;
        return ParseTarget(head, target, sp1 + 1);
    }

    private static RequestRejection ParseTarget(RequestHead head, ReadOnlySpan<byte> target, int offset)
    {
        if (head.Method == HttpMethod.Connect) return RequestRejection.ConnectMethod;
        if (target[0] == '/')
        {
            head.TargetForm = RequestTargetForm.Origin;
            SplitPathAndQuery(head, target, offset);
            return RequestRejection.None;
        }
        if (target.Length == 1 && target[0] == '*')
        {
            if (head.Method != HttpMethod.Options) return RequestRejection.AsteriskWithoutOptions;
            head.TargetForm = RequestTargetForm.Asterisk;
            head.PathStart = offset;
            head.PathLength = 1;
            return RequestRejection.None;
        }

        int schemeLength;
        if (target.Length > 7 && KnownHeaders.Is(target[..7], "http://"u8)) schemeLength = 7;
        else if (target.Length > 8 && KnownHeaders.Is(target[..8], "https://"u8)) schemeLength = 8;
        else return RequestRejection.InvalidTargetForm;

        var afterScheme = target[schemeLength..];
        var authorityLength = afterScheme.IndexOfAny("/?"u8);
        if (authorityLength < 0) authorityLength = afterScheme.Length;
        var authority = afterScheme[..authorityLength];
        if (!HostSyntax.IsValidAuthority(authority)) return RequestRejection.InvalidAuthority;
        head.TargetForm = RequestTargetForm.Absolute;
        head.AuthorityStart = offset + schemeLength;
        head.AuthorityLength = authorityLength;
        var pathOffset = offset + schemeLength + authorityLength;
        SplitPathAndQuery(head, afterScheme[authorityLength..], pathOffset);
        return RequestRejection.None;
    }

    /// <summary>
    /// Replaces the path by its normal form, written into the head's buffer after the head, so that the path routed
    /// and the path forwarded are one and the same. The raw target stays readable as <see cref="RequestHead.Target"/>.
    /// </summary>
    private static RequestRejection NormalizePath(RequestHead head, HttpLimits limits)
    {
        var path = head.Path;
        if (head.TargetForm == RequestTargetForm.Asterisk || !PathNormalizer.NeedsNormalizing(path, limits.MergeSlashes))
            return RequestRejection.None;
        var output = head.Buffer.AsSpan(head.Length, path.Length);
        var length = PathNormalizer.Normalize(path, output, limits.EscapedSlashes, limits.MergeSlashes);
        if (length < 0) return (RequestRejection)(-length);
        head.PathStart = head.Length;
        head.PathLength = length;
        return RequestRejection.None;
    }

    private static void SplitPathAndQuery(RequestHead head, ReadOnlySpan<byte> pathAndQuery, int offset)
    {
        var q = pathAndQuery.IndexOf((byte)'?');
        var pathLength = q < 0 ? pathAndQuery.Length : q;
        head.PathStart = offset;
        head.PathLength = pathLength;
        head.QueryStart = offset + pathLength;
        head.QueryLength = pathAndQuery.Length - pathLength;
    }

    private static RequestRejection ApplyFieldSemantics(RequestHead head)
    {
        var connection = default(ConnectionTokens);
        var hasTransferEncoding = false;
        for (var i = 0; i < head.FieldCount; i++)
        {
            ref var field = ref head.Field(i);
            var value = head.Value(i);
            RequestRejection rejection;
            switch (field.Known)
            {
                case KnownHeader.Host:
                    if (head.HostField >= 0) return RequestRejection.DuplicateHost;
                    if (!HostSyntax.IsValidHostField(value)) return RequestRejection.InvalidHost;
                    head.HostField = i;
                    break;
                case KnownHeader.ContentLength:
                    if (!HeadFields.MergeContentLength(head, value)) return RequestRejection.InvalidContentLength;
                    break;
                case KnownHeader.TransferEncoding:
                    if (hasTransferEncoding && head.Chunked) return RequestRejection.InvalidTransferEncoding; // a coding after the final chunked
                    hasTransferEncoding = true;
                    rejection = ParseTransferEncoding(head, value);
                    if (rejection != RequestRejection.None) return rejection;
                    break;
                case KnownHeader.Connection:
                    HeadFields.ScanConnection(value, ref connection);
                    break;
                case KnownHeader.Expect:
                    // 100-continue is answered here; another expectation may be meant for the origin, so it is forwarded.
                    if (!KnownHeaders.Is(value, "100-continue"u8)) break;
                    head.ExpectContinue = true;
                    field.Drop = true;
                    break;
                case KnownHeader.Upgrade:
                    head.UpgradeField = i;
                    break;
            }
        }

        if (head.VersionMinor == 1 && head.HostField < 0) return RequestRejection.MissingHost;
        if (hasTransferEncoding)
        {
            if (head.ContentLength >= 0) return RequestRejection.TransferEncodingWithContentLength;
            if (head.VersionMinor == 0) return RequestRejection.TransferEncodingInHttp10;
            if (!head.Chunked) return RequestRejection.InvalidTransferEncoding;
        }
        if (connection.Other) HeadFields.DropFieldsNamedInConnection(head);
        head.KeepAlive = !connection.Close && (head.VersionMinor == 1 || connection.KeepAlive);
        head.IsUpgrade = connection.Upgrade && head.UpgradeField >= 0 && head.VersionMinor == 1;
        return RequestRejection.None;
    }

    /// <summary>Only a lone "chunked" is forwarded; other codings are not implemented, and chunked must be final.</summary>
    private static RequestRejection ParseTransferEncoding(RequestHead head, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            var comma = value.IndexOf((byte)',');
            var coding = HttpChars.TrimOws(comma < 0 ? value : value[..comma]);
            if (coding.IsEmpty) return RequestRejection.InvalidTransferEncoding;
            if (head.Chunked) return RequestRejection.InvalidTransferEncoding; // something follows chunked
            if (KnownHeaders.Is(coding, "chunked"u8)) head.Chunked = true;
            else if (!HttpChars.IsToken(coding)) return RequestRejection.InvalidTransferEncoding;
            // final coding not chunked: length undeterminable (RFC 9112 §6.3)
            else return comma < 0 ? RequestRejection.InvalidTransferEncoding : RequestRejection.UnsupportedTransferCoding;
            if (comma < 0) return RequestRejection.None;
            value = value[(comma + 1)..];
        }
    }

    private static HttpMethod ParseMethod(ReadOnlySpan<byte> m) => m.Length switch
    {
        3 => m.SequenceEqual("GET"u8) ? HttpMethod.Get : m.SequenceEqual("PUT"u8) ? HttpMethod.Put : HttpMethod.Custom,
        4 => m.SequenceEqual("POST"u8) ? HttpMethod.Post : m.SequenceEqual("HEAD"u8) ? HttpMethod.Head : HttpMethod.Custom,
        5 => m.SequenceEqual("PATCH"u8) ? HttpMethod.Patch : m.SequenceEqual("TRACE"u8) ? HttpMethod.Trace : HttpMethod.Custom,
        6 => m.SequenceEqual("DELETE"u8) ? HttpMethod.Delete : HttpMethod.Custom,
        7 => m.SequenceEqual("OPTIONS"u8) ? HttpMethod.Options : m.SequenceEqual("CONNECT"u8) ? HttpMethod.Connect : HttpMethod.Custom,
        _ => HttpMethod.Custom,
    };
}
