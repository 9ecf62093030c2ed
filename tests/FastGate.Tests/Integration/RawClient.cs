using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastGate.Tests.Integration;

/// <summary>A client that writes exact bytes and reads exact bytes, with a deadline on every read.</summary>
internal sealed class RawClient : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();
    private int _read;

    private RawClient(Socket socket) => _socket = socket;

    public static RawClient Connect(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endPoint);
        return new RawClient(socket);
    }

    public Socket Socket => _socket;

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(byte[] bytes) => _socket.Send(bytes);

    /// <summary>Reads one complete response (head and its Content-Length or chunked body) and returns it as text.</summary>
    public async Task<HttpResponse> ReadResponseAsync(bool headRequest = false, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var response = HttpResponse.TryParse(Buffered(), headRequest, out var length);
            if (response is not null)
            {
                _read += length;
                return response;
            }
            if (!await FillAsync(cts.Token)) throw new EndOfStreamException("connection closed before a full response: " + Encoding.Latin1.GetString(Buffered()));
        }
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived; consumes and returns everything up to and including it.</summary>
    public async Task<string> ReadUntilAsync(string marker, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var bytes = Encoding.Latin1.GetBytes(marker);
        int at;
        while ((at = Buffered().IndexOf(bytes)) < 0)
            if (!await FillAsync(cts.Token)) throw new EndOfStreamException("connection closed before " + marker + ": " + Encoding.Latin1.GetString(Buffered()));
        var text = Encoding.Latin1.GetString(Buffered()[..(at + bytes.Length)]);
        _read += at + bytes.Length;
        return text;
    }

    /// <summary>Reads until the peer closes; returns everything not yet consumed.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (await FillAsync(cts.Token)) { }
        var rest = Encoding.Latin1.GetString(Buffered());
        _read = (int)_received.Length;
        return rest;
    }

    /// <summary>True when the peer closes the connection within the timeout (all unread data is discarded).</summary>
    public async Task<bool> IsClosedAsync(TimeSpan? timeout = null)
    {
        try
        {
            await ReadToEndAsync(timeout ?? TimeSpan.FromSeconds(5));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private ReadOnlySpan<byte> Buffered() => _received.GetBuffer().AsSpan(_read, (int)_received.Length - _read);

    private async Task<bool> FillAsync(CancellationToken token)
    {
        var buffer = new byte[65536];
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, token);
        if (n == 0) return false;
        _received.Write(buffer, 0, n);
        return true;
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>A response as the client saw it.</summary>
internal sealed record HttpResponse(int Status, string Head, string Body, string Trailers = "")
{
    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    public static HttpResponse? TryParse(ReadOnlySpan<byte> data, bool headRequest, out int length)
    {
        length = 0;
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        var head = Encoding.Latin1.GetString(data[..end]);
        var status = int.Parse(head.AsSpan(9, 3));
        var bodyStart = end + 4;
        var response = new HttpResponse(status, head, "");
        if (headRequest || status < 200 || status == 204 || status == 304)
        {
            length = bodyStart;
            return response;
        }
        if (response.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new StringBuilder();
            var pos = bodyStart;
            while (true)
            {
                var lineEnd = data[pos..].IndexOf("\r\n"u8);
                if (lineEnd < 0) return null;
                var size = Convert.ToInt32(Encoding.ASCII.GetString(data.Slice(pos, lineEnd)).Split(';')[0], 16);
                pos += lineEnd + 2;
                if (size == 0)
                {
                    var trailerEnd = data[(pos - 2)..].IndexOf("\r\n\r\n"u8);
                    if (trailerEnd < 0) return null;
                    length = pos - 2 + trailerEnd + 4;
                    var trailers = Encoding.Latin1.GetString(data[pos..Math.Max(pos, length - 2)]);
                    return response with { Body = body.ToString(), Trailers = trailers };
                }
                if (data.Length < pos + size + 2) return null;
                body.Append(Encoding.Latin1.GetString(data.Slice(pos, size)));
                pos += size + 2;
            }
        }
        var contentLength = response.Header("Content-Length") is { } cl ? int.Parse(cl) : 0;
        if (data.Length < bodyStart + contentLength) return null;
        length = bodyStart + contentLength;
        return response with { Body = Encoding.Latin1.GetString(data.Slice(bodyStart, contentLength)) };
    }
}
