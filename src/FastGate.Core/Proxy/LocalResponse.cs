using System.Buffers;
using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// An answer the gateway gives itself: a status, extra header lines (<c>Retry-After</c>, <c>WWW-Authenticate</c>,
/// CORS, ...) and a small body. Set by the exchange for errors, or by a request policy or the cache; written by
/// <see cref="Write"/>. Reused exchange after exchange.
/// </summary>
public sealed class LocalResponse
{
    private ReadOnlyMemory<byte> _body;
    private bool _hasBody;

    public int Status { get; private set; }

    /// <summary>Header lines to send besides Content-Length, Connection and Server.</summary>
    public HeaderBlock Headers { get; } = new();

    /// <summary>
    /// Answers with <paramref name="status"/> and a text/plain body naming it; <see cref="SetBody"/> replaces the body.
    /// </summary>
    public void Set(int status)
    {
        Status = status;
        _hasBody = false;
        _body = default;
    }

    /// <summary>A body of the caller's own, kept by reference (e.g. pre-encoded at config load); add its Content-Type header yourself.</summary>
    public void SetBody(ReadOnlyMemory<byte> body)
    {
        _body = body;
        _hasBody = true;
    }

    internal void Reset()
    {
        Status = 0;
        _hasBody = false;
        _body = default;
        Headers.Clear();
    }

    /// <summary>Writes the whole response; the body is left out for HEAD (its length is still declared) and for bodyless statuses.</summary>
    internal void Write(IBufferWriter<byte> output, HeaderBlock? extra, bool headRequest, bool close, bool http10KeepAlive)
    {
        StatusLines.Write(output, Status);
        var body = _hasBody ? _body.Span : StatusLines.DefaultBody(Status);
        var bodyless = Status is < 200 or 204 or 304;
        if (!_hasBody && !body.IsEmpty && !bodyless) output.Write("Content-Type: text/plain\r\n"u8);
        Headers.WriteTo(output);
        extra?.WriteTo(output);
        if (!bodyless) output.WriteContentLength(body.Length);
        if (close) output.Write("Connection: close\r\n"u8);
        else if (http10KeepAlive) output.Write("Connection: keep-alive\r\n"u8);
        output.Write("Server: FastGate\r\n\r\n"u8);
        if (!bodyless && !headRequest) output.Write(body);
    }
}
