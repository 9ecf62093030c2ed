using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastGate.Tests.Integration;

/// <summary>An upstream on a real socket whose behaviour each test scripts, one handler call per accepted connection.</summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<UpstreamSession, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    public ScriptedUpstream(Func<UpstreamSession, Task> handler) : this(new IPEndPoint(IPAddress.Loopback, 0), handler) { }

    /// <summary>An upstream listening on <paramref name="listen"/>, e.g. another loopback address (127.0.0.2) on a given port.</summary>
    public ScriptedUpstream(IPEndPoint listen, Func<UpstreamSession, Task> handler)
    {
        _handler = handler;
        _listener = new TcpListener(listen);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Answers every request with 200 and the given body, keeping connections alive.</summary>
    public static ScriptedUpstream Ok(string body = "hello") => Ok(new IPEndPoint(IPAddress.Loopback, 0), body);

    /// <summary>As <see cref="Ok(string)"/>, listening on <paramref name="listen"/>.</summary>
    public static ScriptedUpstream Ok(IPEndPoint listen, string body) => new(listen, async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nX-Path: {request.Target}\r\n\r\n{(request.Method == "HEAD" ? "" : body)}");
    });

    /// <summary>Answers every request with 200 and its request target as the body, keeping connections alive.</summary>
    public static ScriptedUpstream EchoTarget() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Target.Length}\r\n\r\n{request.Target}");
    });

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;
    public int AcceptedConnections => Volatile.Read(ref _accepted);
    public ConcurrentQueue<UpstreamRequest> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                using var session = new UpstreamSession(socket, Requests);
                try { await _handler(session); }
                catch (Exception) { /* a test's upstream may be cut off by the gateway */ }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
    }
}

/// <summary>A request as the upstream saw it; <paramref name="Raw"/> is its exact bytes, framing included.</summary>
internal sealed record UpstreamRequest(string Method, string Target, string Head, string Body, string Trailers, string Raw = "")
{
    public string? Header(string name) => new HttpResponse(0, "X\r\n" + Head.Split("\r\n", 2)[1], "").Header(name);
}

/// <summary>One upstream connection as the test's script sees it.</summary>
internal sealed class UpstreamSession(Socket socket, ConcurrentQueue<UpstreamRequest> log) : IDisposable
{
    private readonly MemoryStream _buffer = new();
    private int _read;

    public Socket Socket => socket;

    /// <summary>Reads the next request (head and Content-Length or chunked body); null when the gateway closed.</summary>
    public async Task<UpstreamRequest?> ReadRequestAsync(bool readBody = true)
    {
        int end;
        while ((end = Pending().IndexOf("\r\n\r\n"u8)) < 0)
            if (!await FillAsync()) return null;
        var start = _read;
        var head = Encoding.Latin1.GetString(Pending()[..end]);
        _read += end + 4;
        var parts = head.Split(' ', 3);
        var request = new UpstreamRequest(parts[0], parts[1], head, "", "");
        if (!readBody) return request;
        if (request.Header("Transfer-Encoding") is not null)
        {
            var body = new StringBuilder();
            while (true)
            {
                var line = await ReadLineAsync();
                var size = Convert.ToInt32(line.Split(';')[0], 16);
                if (size == 0) break;
                body.Append(await ReadExactAsync(size));
                await ReadLineAsync();
            }
            var trailers = new StringBuilder();
            string trailer;
            while ((trailer = await ReadLineAsync()) != "") trailers.Append(trailer).Append("\r\n");
            request = request with { Body = body.ToString(), Trailers = trailers.ToString() };
        }
        else if (request.Header("Content-Length") is { } cl)
        {
            request = request with { Body = await ReadExactAsync(int.Parse(cl)) };
        }
        request = request with { Raw = Encoding.Latin1.GetString(_buffer.GetBuffer().AsSpan(start, _read - start)) };
        log.Enqueue(request);
        return request;
    }

    /// <summary>Whatever bytes arrive next (at least one); null when the gateway closed.</summary>
    public async Task<string?> ReadAvailableAsync()
    {
        if (Pending().IsEmpty && !await FillAsync()) return null;
        var text = Encoding.Latin1.GetString(Pending());
        _read = (int)_buffer.Length;
        return text;
    }

    public async Task<string> ReadExactAsync(int count)
    {
        while (Pending().Length < count)
            if (!await FillAsync()) throw new EndOfStreamException();
        var text = Encoding.Latin1.GetString(Pending()[..count]);
        _read += count;
        return text;
    }

    private async Task<string> ReadLineAsync()
    {
        int end;
        while ((end = Pending().IndexOf("\r\n"u8)) < 0)
            if (!await FillAsync()) throw new EndOfStreamException();
        var line = Encoding.Latin1.GetString(Pending()[..end]);
        _read += end + 2;
        return line;
    }

    public void Send(string text) => socket.Send(Encoding.Latin1.GetBytes(text));

    /// <summary>Closes with a TCP reset instead of a clean FIN.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>Waits until the gateway closes this connection; true if it did within the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await FillAsync(cts.Token)) { }
            return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return true; }
    }

    private ReadOnlySpan<byte> Pending() => _buffer.GetBuffer().AsSpan(_read, (int)_buffer.Length - _read);

    private async Task<bool> FillAsync(CancellationToken token = default)
    {
        var chunk = new byte[65536];
        var n = await socket.ReceiveAsync(chunk, SocketFlags.None, token);
        if (n == 0) return false;
        _buffer.Write(chunk, 0, n);
        return true;
    }

    public void Dispose() => socket.Dispose();
}
