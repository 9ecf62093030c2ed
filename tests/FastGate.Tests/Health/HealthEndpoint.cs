using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastGate.Tests.Health;

/// <summary>
/// An upstream on a real socket that answers health probes as the test scripts: the queued answers first, one per
/// connection, then <see cref="Default"/>; <see cref="Hang"/> accepts and never answers. Requests that are not
/// for <see cref="Path"/> get 200 with <see cref="Name"/> as the body, on keep-alive connections.
/// </summary>
internal sealed class HealthEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepts;
    private int _probes;
    private int _requests;

    public HealthEndpoint(string name = "up", string path = "/healthz")
    {
        Name = name;
        Path = path;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepts = AcceptAsync();
    }

    public string Name { get; }
    public string Path { get; set; }
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;
    private readonly Lock _lock = new();
    private (int Status, string Body) _default = (200, "ok");

    /// <summary>The answer once the script is used up.</summary>
    public (int Status, string Body) Default
    {
        get { lock (_lock) return _default; }
        set { lock (_lock) _default = value; }
    }

    public volatile bool Hang;
    public ConcurrentQueue<(int Status, string Body)> Script { get; } = new();
    public ConcurrentQueue<string> ProbeHeads { get; } = new();
    public int Probes => Volatile.Read(ref _probes);
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Queues <paramref name="count"/> answers with <paramref name="status"/>.</summary>
    public void Then(int count, int status, string body = "")
    {
        for (var i = 0; i < count; i++) Script.Enqueue((status, body));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[8192];
        var filled = 0;
        try
        {
            while (true)
            {
                int end;
                while ((end = Encoding.ASCII.GetString(buffer, 0, filled).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0) return;
                    filled += read;
                }
                var head = Encoding.ASCII.GetString(buffer, 0, end + 4);
                Array.Copy(buffer, end + 4, buffer, 0, filled - end - 4);
                filled -= end + 4;
                var target = head.Split(' ')[1];
                if (target != Path)
                {
                    Interlocked.Increment(ref _requests);
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Name.Length}\r\n\r\n{Name}"));
                    continue;
                }
                ProbeHeads.Enqueue(head);
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                var (status, body) = Script.TryDequeue(out var next) ? next : Default;
                Interlocked.Increment(ref _probes);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}"));
                return;
            }
        }
        catch (Exception) { /* the prober timed out or the test ended */ }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepts;
    }
}
