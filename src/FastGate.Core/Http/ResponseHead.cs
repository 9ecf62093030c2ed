namespace FastGate.Http;

/// <summary>A parsed upstream response head, reused for every exchange of a connection.</summary>
public sealed class ResponseHead : MessageHead
{
    public int StatusCode { get; internal set; }
    /// <summary>Offset of the status code in <see cref="MessageHead.Buffer"/>; the status line runs to <see cref="StatusLineEnd"/>.</summary>
    internal int StatusStart;
    /// <summary>Offset of the CRLF ending the status line.</summary>
    internal int StatusLineEnd;

    public ResponseFraming Framing { get; internal set; }

    /// <summary>Transfer-Encoding names codings besides chunked (e.g. "gzip, chunked"): they must reach the client.</summary>
    public bool HasOtherTransferCodings { get; internal set; }

    /// <summary>"200 OK": the status code and reason phrase, as sent.</summary>
    public ReadOnlySpan<byte> StatusAndReason => Buffer.AsSpan(StatusStart, StatusLineEnd - StatusStart);

    internal override void Reset()
    {
        base.Reset();
        StatusCode = 0;
        StatusStart = StatusLineEnd = 0;
        Framing = ResponseFraming.None;
        HasOtherTransferCodings = false;
    }
}
