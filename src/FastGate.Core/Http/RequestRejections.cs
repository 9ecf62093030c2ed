namespace FastGate.Http;

/// <summary>The status each <see cref="RequestRejection"/> is answered with, and the reason the error log gives for it.</summary>
public static class RequestRejections
{
    public static int StatusOf(RequestRejection rejection) => rejection switch
    {
        RequestRejection.None => 0,
        RequestRejection.RequestLineTooLong => 414,
        RequestRejection.HeaderBlockTooLarge or RequestRejection.TooManyHeaders => 431,
        RequestRejection.UnsupportedVersion => 505,
        RequestRejection.ConnectMethod => 405,
        RequestRejection.UnsupportedTransferCoding => 501,
        RequestRejection.HeadTimeout or RequestRejection.BodyTimeout => 408,
        RequestRejection.BodyTooLarge => 413,
        _ => 400,
    };

    /// <summary>One line of plain words for an operator, as nginx's "client sent invalid header line" is.</summary>
    public static string Reason(RequestRejection rejection) => rejection switch
    {
        RequestRejection.None => "none",
        RequestRejection.BareLineFeed => "LF without CR in the head",
        RequestRejection.BareCarriageReturn => "CR not followed by LF in the head",
        RequestRejection.ObsoleteLineFolding => "obsolete line folding (a field line starting with whitespace)",
        RequestRejection.LeadingEmptyLines => "too many empty lines before the request line",
        RequestRejection.RequestLineTooLong => "request line longer than limits.max_request_line",
        RequestRejection.HeaderBlockTooLarge => "header block larger than limits.max_header_bytes",
        RequestRejection.TooManyHeaders => "more header fields than limits.max_header_count",
        RequestRejection.InvalidRequestLine => "malformed request line",
        RequestRejection.InvalidMethod => "method is not a token",
        RequestRejection.InvalidVersion => "malformed HTTP version",
        RequestRejection.UnsupportedVersion => "HTTP version other than 1.0 and 1.1",
        RequestRejection.InvalidTargetCharacter => "invalid character in the request target",
        RequestRejection.ConnectMethod => "CONNECT is not supported",
        RequestRejection.AsteriskWithoutOptions => "target \"*\" with a method other than OPTIONS",
        RequestRejection.InvalidTargetForm => "request target is neither a path nor an http(s) URI",
        RequestRejection.InvalidAuthority => "invalid authority in an absolute-form target",
        RequestRejection.BadPercentEscape => "invalid percent-escape in the path",
        RequestRejection.EncodedNul => "encoded NUL (%00) in the path",
        RequestRejection.EncodedSlash => "encoded slash or backslash in the path (server.escaped_slashes = \"reject\")",
        RequestRejection.PathAboveRoot => "\"..\" above the root of the path",
        RequestRejection.InvalidHeaderLine => "invalid header field line",
        RequestRejection.DuplicateHost => "more than one Host field",
        RequestRejection.InvalidHost => "invalid Host field value",
        RequestRejection.MissingHost => "HTTP/1.1 request without Host",
        RequestRejection.InvalidContentLength => "invalid or conflicting Content-Length",
        RequestRejection.InvalidTransferEncoding => "invalid Transfer-Encoding",
        RequestRejection.UnsupportedTransferCoding => "transfer coding other than chunked",
        RequestRejection.TransferEncodingWithContentLength => "both Transfer-Encoding and Content-Length",
        RequestRejection.TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 request",
        RequestRejection.ClosedInsideHead => "client closed the connection inside the request head",
        RequestRejection.HeadTimeout => "request head not complete within limits.header_timeout",
        RequestRejection.BodyTooLarge => "body larger than limits.max_request_body",
        RequestRejection.InvalidBody => "malformed request body (chunked framing)",
        RequestRejection.BodyTimeout => "request body stalled or slower than limits.min_request_body_rate",
        _ => rejection.ToString(),
    };

    /// <summary>Every reason as UTF-8 bytes, indexed by the enum, so a log line copies instead of encoding.</summary>
    public static readonly byte[][] ReasonBytes = BuildReasonBytes();

    public static int Count { get; } = Enum.GetValues<RequestRejection>().Length;

    private static byte[][] BuildReasonBytes()
    {
        var values = Enum.GetValues<RequestRejection>();
        var bytes = new byte[values.Length][];
        foreach (var value in values) bytes[(int)value] = System.Text.Encoding.UTF8.GetBytes(Reason(value));
        return bytes;
    }
}
