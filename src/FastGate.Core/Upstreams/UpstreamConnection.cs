using System.IO.Pipelines;
using System.Net.Sockets;
using FastGate.Deadlines;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastGate.Upstreams;

/// <summary>One keep-alive connection to a destination: pipes over a socket, plus pool bookkeeping.</summary>
/// <remarks>
/// With the epoll transport (the default on Linux) the connection joins the caller's event loop, so a client and its
/// upstream are served by one thread. With the Sockets transport the pipes come from Kestrel's own
/// <see cref="SocketConnectionContextFactory"/>. Either way steady-state reads and writes allocate nothing.
/// </remarks>
public sealed class UpstreamConnection : IDisposable
{
    private static readonly SocketConnectionContextFactory Factory = new(
        new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true },
        NullLogger.Instance);

    private readonly ConnectionContext _connection;
    private int _disposed;

    private UpstreamConnection(DestinationState destination, ConnectionContext connection)
    {
        Destination = destination;
        _connection = connection;
        LastUsedTicks = Environment.TickCount64;
        Deadlines.Bind(connection.Transport.Input, connection.Transport.Output);
        Heartbeat.Register(Deadlines);
    }

    /// <summary>The destination whose pool this connection belongs to.</summary>
    public DestinationState Destination { get; }
    public PipeReader Input => _connection.Transport.Input;
    public PipeWriter Output => _connection.Transport.Output;

    /// <summary>True when this connection has carried an earlier exchange (a failure on it may be a stale keep-alive).</summary>
    public bool IsReused { get; internal set; }

    internal long LastUsedTicks { get; set; }

    /// <summary>Read and flush deadlines of this connection's pipes, checked by the heartbeat while it is open.</summary>
    internal PipeDeadlines Deadlines { get; } = new();

    /// <summary>
    /// An idle connection is usable when the upstream has neither closed nor reset it, nor sent unsolicited bytes.
    /// </summary>
    internal bool IsHealthyIdle()
    {
        System.IO.Pipelines.ReadResult result;
        try
        {
            if (!Input.TryRead(out result)) return true;
        }
        catch (Exception ex) when (Proxy.BodyRelay.IsTransportError(ex))
        {
            return false; // reset while idle (the upstream restarted): a dead connection, not a failed request
        }
        // A cancelled empty read is a deadline check that raced the connection's return to the pool, not the upstream.
        var clean = !result.IsCompleted && result.Buffer.IsEmpty;
        Input.AdvanceTo(result.Buffer.Start);
        return clean;
    }

    internal static async Task<UpstreamConnection> ConnectAsync(DestinationState destination, TimeSpan timeout)
    {
        var endPoint = destination.Key.EndPoint;
        if (endPoint is System.Net.IPEndPoint ip)
        {
            if (TransportSelection.Current == TransportKind.Epoll)
                return new UpstreamConnection(destination, await EpollConnection.ConnectAsync(ip, timeout).ConfigureAwait(false));
            if (TransportSelection.Current == TransportKind.IoUring)
                return new UpstreamConnection(destination, await Transport.IoUring.UringConnection.ConnectAsync(ip, timeout).ConfigureAwait(false));
        }

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UpstreamConnection(destination, Factory.Create(socket));
    }

    /// <summary>Close with a reset when discarded: the upstream stopped reading what was sent to it.</summary>
    internal bool ResetWhenClosed { get; set; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (ResetWhenClosed) ConnectionReset.Abort(_connection, "the upstream stopped reading (send_timeout)");
        else _connection.Abort();
        Heartbeat.Unregister(Deadlines);
        _ = DisposeQuietlyAsync(_connection);
    }

    private static async Task DisposeQuietlyAsync(ConnectionContext connection)
    {
        try { await connection.DisposeAsync().ConfigureAwait(false); }
        catch (Exception) { /* the socket is gone either way */ }
    }
}
