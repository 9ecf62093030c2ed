using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastGate.Tests.Integration;

/// <summary>
/// An upstream a chaos test misbehaves on purpose: it can be killed (listener closed, every open connection reset,
/// the port held so connects are refused) and restarted on the same port, made slow, or made to answer 503.
/// Health probes (<c>/healthz</c>) get the same status as requests.
/// </summary>
internal sealed class ChaosUpstream : IAsyncDisposable
{
    private readonly ConcurrentDictionary<UpstreamSession, byte> _sessions = new();
    private ScriptedUpstream? _upstream;
    private Socket? _holder;
    private int _served;

    public ChaosUpstream()
    {
        _upstream = Start(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = _upstream.EndPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Milliseconds each answer waits.</summary>
    public volatile int DelayMilliseconds;

    public volatile int Status = 200;

    /// <summary>Requests answered (any status).</summary>
    public int Served => Volatile.Read(ref _served);

    public bool Alive => _upstream is not null;

    public async Task KillAsync()
    {
        var upstream = _upstream!;
        _upstream = null;
        await upstream.DisposeAsync();
        _holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _holder.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // past the reset connections' TIME_WAIT
        _holder.Bind(EndPoint);
        foreach (var session in _sessions.Keys) session.Reset();
    }

    public void Restart()
    {
        _holder!.Dispose();
        _holder = null;
        _upstream = Start(EndPoint);
    }

    private ScriptedUpstream Start(IPEndPoint listen) => new(listen, async s =>
    {
        _sessions.TryAdd(s, 0);
        try
        {
            while (await s.ReadRequestAsync() is not null)
            {
                var delay = DelayMilliseconds;
                if (delay > 0) await Task.Delay(delay);
                var status = Status;
                s.Send($"HTTP/1.1 {status} X\r\nContent-Length: 3\r\n\r\n{status}");
                Interlocked.Increment(ref _served);
            }
        }
        finally
        {
            _sessions.TryRemove(s, out _);
        }
    });

    public async ValueTask DisposeAsync()
    {
        _holder?.Dispose();
        if (_upstream is { } upstream) await upstream.DisposeAsync();
        foreach (var session in _sessions.Keys) session.Reset();
    }
}
