using System.IO.Pipelines;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace FastGate.Upstreams;

/// <summary>One keep-alive connection to a destination: pipes over a socket, plus pool bookkeeping.</summary>
public sealed class UpstreamConnection : IDisposable
{
    private readonly SocketConnection _connection;
    private int _disposed;

    internal UpstreamConnection(Destination destination, SocketConnection connection)
    {
        Destination = destination;
        _connection = connection;
        LastUsedTicks = Environment.TickCount64;
    }

    public Destination Destination { get; }
    public PipeReader Input => _connection.Input;
    public PipeWriter Output => _connection.Output;

    /// <summary>True when this connection has carried an earlier exchange (a failure on it may be a stale keep-alive).</summary>
    public bool IsReused { get; internal set; }

    internal long LastUsedTicks { get; set; }

    /// <summary>Reusable timer source for the response-head timeout; reset per exchange.</summary>
    internal CancellationTokenSource Timeout { get; private set; } = new();

    internal void ResetTimeout()
    {
        if (!Timeout.TryReset())
        {
            Timeout.Dispose();
            Timeout = new CancellationTokenSource();
        }
    }

    /// <summary>
    /// An idle connection is usable when the upstream has neither closed it nor sent unsolicited bytes.
    /// </summary>
    internal bool IsHealthyIdle()
    {
        if (!Input.TryRead(out var result)) return true;
        var clean = !result.IsCompleted && !result.IsCanceled && result.Buffer.IsEmpty;
        Input.AdvanceTo(result.Buffer.Start);
        return clean;
    }

    internal static async Task<UpstreamConnection> ConnectAsync(Destination destination, TimeSpan timeout)
    {
        var socket = new Socket(destination.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(destination.EndPoint, cts.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = SocketConnection.Create(socket, PipeOptions.Default, PipeOptions.Default,
            SocketConnectionOptions.InlineReads | SocketConnectionOptions.InlineWrites);
        return new UpstreamConnection(destination, connection);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _connection.Dispose(); } catch (Exception) { /* the socket is gone either way */ }
        Timeout.Dispose();
    }
}
