using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Configuration;
using FastGate.Deadlines;
using FastGate.Http;
using FastGate.Telemetry;
using FastGate.Threading;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace FastGate.Proxy;

/// <summary>
/// The lifecycle of one client connection: read a request head, hand it to an <see cref="Exchange"/>, repeat while
/// the connection stays alive; close idle connections on drain; abort one that stopped reading. Everything about a
/// single request lives in the pooled <see cref="ExchangeContext"/>, rented when a head's first byte arrives and
/// returned when the connection waits idle again.
/// </summary>
/// <remarks>
/// So an idle keep-alive connection holds only this object, its deadlines and the transport's state (see
/// docs/architecture.md, "Idle client connections").
/// </remarks>
internal sealed class ClientConnection
{
    private readonly ConnectionContext _connection;
    private readonly GatewayConnectionHandler _handler;
    private readonly PipeReader _input;
    private readonly SnapshotHolder _snapshots;
    private readonly GatewayStats _stats;
    private readonly ExchangeContextPool _contexts;
    private readonly ClientInfo _client;
    private readonly IExchangeObserver[] _observers;
    private readonly PipeDeadlines _deadlines = new();
    /// <summary>Held from the first byte of a head to the end of its exchange; null while the connection is idle.</summary>
    private ExchangeContext? _context;
    private ProxyError _headError;
    private RequestRejection _headRejection;
    /// <summary>When the current head's first bytes were there (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): its header deadline and the exchange's start.</summary>
    private long _headStartedAt;
    /// <summary>When the last exchange completed, 0 before the first: the keep-alive wait is timed from it.</summary>
    private long _lastCompletedAt;
    private volatile bool _idle;
    private volatile bool _draining;

    public ClientConnection(ConnectionContext connection, SnapshotHolder snapshots, ClientInfo client, GatewayStats stats,
        ExchangeObservers observers, ExchangeContextPool contexts, GatewayConnectionHandler handler)
    {
        _connection = connection;
        _handler = handler;
        _input = connection.Transport.Input;
        _snapshots = snapshots;
        _stats = stats;
        _contexts = contexts;
        _client = client;
        _observers = observers.All;
        _deadlines.Bind(_input, connection.Transport.Output);
    }

    /// <summary>The gateway is stopping: the exchange under way is the connection's last.</summary>
    public bool Draining => _draining || _handler.Stopping || _deadlines.CloseRequested;

    public async Task RunAsync()
    {
        if (_connection.Features.Get<IConnectionLifetimeNotificationFeature>() is { } lifetime)
            _deadlines.WatchCloseRequest(lifetime.ConnectionClosedRequested, static s => ((ClientConnection)s!).OnDrain(), this);
        Heartbeat.Register(_deadlines);
        _stats.OnConnectionOpened();
        try
        {
            while (!Draining)
            {
                var limits = _snapshots.Current.Limits;
                // The keep-alive wait for a head's first byte is awaited here, not in ReadRequestHeadAsync, so an idle
                // connection holds no state machine beyond this one. Its expiry, a drain or a FIN closes quietly.
                // The idle time runs from the end of the last response, a timestamp the exchange took anyway.
                if (_lastCompletedAt != 0) _deadlines.SetReadDeadlineFrom(_lastCompletedAt, limits.KeepAliveTimeout);
                else _deadlines.SetReadDeadline(limits.KeepAliveTimeout);
                ReadResult first;
                while (true)
                {
                    if (!EnterIdle()) return;
                    var pending = _input.ReadAsync();
                    // Requests back to back keep the context; a connection that has to wait gives it back.
                    if (!pending.IsCompleted) ReleaseContext();
                    first = await pending.ConfigureAwait(false);
                    _idle = false;
                    if (!first.Buffer.IsEmpty) break;
                    _input.AdvanceTo(first.Buffer.Start);
                    if (first.IsCompleted || (first.IsCanceled && (_draining || _deadlines.ReadTimedOut))) return;
                }

                var error = await ReadRequestHeadAsync(limits, first).ConfigureAwait(false) ? ProxyError.None : _headError;
                var context = _context!;
                _stats.OnRequest();
                // The config is taken once the head is here, so a connection idle through a reload uses the new one.
                context.Begin(_snapshots.Current, _headStartedAt);
                context.Rejection = error == ProxyError.None ? RequestRejection.None : _headRejection;
                if (!await Exchange.RunAsync(context, error).ConfigureAwait(false)) return;
                _lastCompletedAt = context.CompletedAt;
            }
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            // the client went away; the exchange has reported itself
        }
        finally
        {
            var context = _context;
            // Before the heartbeat lets go of the deadlines: the lingering close reads under them.
            if (context is not null && LingeringClose.IsNeeded(context))
                await LingeringClose.RunAsync(_input, _connection.Transport.Output, _deadlines, context.Snapshot.Limits).ConfigureAwait(false);
            Heartbeat.Unregister(_deadlines);
            if (context is not null)
            {
                if (context.AbortConnection) ConnectionReset.Abort(_connection, "the client stopped reading (send_timeout)");
                // An exchange that ended by an exception may leave its request-body relay running: it is stopped
                // first, since it writes the upstream's output and a connection has one writer at a time.
                if (context.RequestBodyPending && context.Upstream is not null) await UpstreamExchange.StopRequestBodyAsync(context).ConfigureAwait(false);
                if (context.Upstream is { } upstream) upstream.Destination.Pool.Discard(upstream);
                context.Upstream = null;
                // A request-body relay may still run on the context; it is let go rather than reused then.
                _context = null;
                if (!context.RequestBodyPending) _contexts.Return(context);
            }
            _stats.OnConnectionClosed();
        }
    }

    /// <summary>Marks the connection idle before its wait for a head; false when it drains and should close instead.</summary>
    private bool EnterIdle()
    {
        _idle = true;
        // OnDrain sets _draining, then reads _idle: with a full fence here one of the two sides sees the other.
        Interlocked.MemoryBarrier();
        if (!Draining) return true;
        _idle = false;
        return false;
    }

    /// <summary>The context for the head that has begun to arrive: the one still held, or one from the pool.</summary>
    private ExchangeContext AcquireContext()
    {
        if (_context is { } held) return held;
        var context = _contexts.Rent();
        context.Bind(this, _input, _connection.Transport.Output, _deadlines, _client, _observers);
        return _context = context;
    }

    /// <summary>The connection goes idle: its context goes back to the pool, unless a body relay may still use it.</summary>
    private void ReleaseContext()
    {
        if (_context is not { RequestBodyPending: false } context) return;
        _context = null;
        _contexts.Return(context);
    }

    private void OnDrain()
    {
        _draining = true;
        if (_idle) _input.CancelPendingRead();
    }

    /// <summary>
    /// Parses the head whose first bytes are in <paramref name="result"/>, reading more as needed, under the header
    /// deadline. False when it failed: <see cref="_headError"/> is the error to answer (400, 408, 414, 431, ...).
    /// </summary>
    /// <remarks>A bool, as <see cref="Exchange.RunAsync"/> returns: the two awaits share one awaiter field in RunAsync's box.</remarks>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> ReadRequestHeadAsync(HttpLimits limits, ReadResult result)
    {
        // One clock reading for the header deadline and the exchange's start (its first byte, as the phases count).
        _headStartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _deadlines.SetReadDeadlineFrom(_headStartedAt, limits.HeaderTimeout);
        var context = AcquireContext();
        var parser = context.RequestParser;
        parser.Reset();
        // Until a head parses, a gateway answer (431, 408, ...) must not describe the previous request (e.g. as a HEAD).
        context.Request.Reset();
        while (true)
        {
            var buffer = result.Buffer;
            var status = parser.TryParse(buffer, context.Request, limits, out var consumed, out var error);
            if (status == ParseStatus.Complete)
            {
                _input.AdvanceTo(buffer.GetPosition(consumed));
                _deadlines.ClearReadDeadline();
                return true;
            }
            if (status == ParseStatus.Error)
            {
                _input.AdvanceTo(buffer.End);
                return Fail(ProxyErrors.FromParserStatus(error), parser.Rejection);
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            // Judged after parsing, so a head that arrived with the cancel is still served.
            if (result.IsCanceled && _deadlines.ReadTimedOut) return Fail(ProxyError.RequestTimeout, RequestRejection.HeadTimeout);
            if (result.IsCompleted) return Fail(ProxyError.BadRequest, RequestRejection.ClosedInsideHead); // the client half-closed inside a head
            result = await _input.ReadAsync().ConfigureAwait(false);
        }
    }

    private bool Fail(ProxyError error, RequestRejection rejection)
    {
        _deadlines.ClearReadDeadline();
        _headError = error;
        _headRejection = rejection;
        return false;
    }
}
