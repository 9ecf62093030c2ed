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
/// single request lives in the pooled <see cref="ExchangeContext"/>.
/// </summary>
internal sealed class ClientConnection
{
    private enum HeadRead : byte { Ok, Closed, Error }

    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly SnapshotHolder _snapshots;
    private readonly GatewayStats _stats;
    private readonly ExchangeContextPool _contexts;
    private readonly ExchangeContext _context;
    private ProxyError _headError;
    private volatile bool _idle;
    private volatile bool _draining;

    public ClientConnection(ConnectionContext connection, SnapshotHolder snapshots, ClientInfo client, GatewayStats stats,
        ExchangeObservers observers, ExchangeContextPool contexts)
    {
        _connection = connection;
        _input = connection.Transport.Input;
        _snapshots = snapshots;
        _stats = stats;
        _contexts = contexts;
        _context = contexts.Rent();
        _context.Bind(this, _input, connection.Transport.Output, client, observers.All);
    }

    /// <summary>The gateway is stopping: the exchange under way is the connection's last.</summary>
    public bool Draining => _draining;

    public async Task RunAsync()
    {
        var lifetime = _connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var drain = lifetime?.ConnectionClosedRequested.Register(static s => ((ClientConnection)s!).OnDrain(), this);
        var context = _context;
        Heartbeat.Register(context.ClientDeadlines);
        try
        {
            while (!_draining)
            {
                var read = await ReadRequestHeadAsync(_snapshots.Current.Limits).ConfigureAwait(false);
                if (read == HeadRead.Closed) return;
                _stats.OnRequest();
                // The config is taken once the head is here, so a connection idle through a reload uses the new one.
                context.Begin(_snapshots.Current, System.Diagnostics.Stopwatch.GetTimestamp());
                var error = read == HeadRead.Error ? _headError : ProxyError.None;
                if (!await Exchange.RunAsync(context, error).ConfigureAwait(false)) return;
            }
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            // the client went away; the exchange has reported itself
        }
        finally
        {
            if (LingeringClose.IsNeeded(context))
                await LingeringClose.RunAsync(_input, _connection.Transport.Output, context.ClientDeadlines, context.Snapshot.Limits).ConfigureAwait(false);
            Heartbeat.Unregister(context.ClientDeadlines);
            if (context.AbortConnection) ConnectionReset.Abort(_connection, "the client stopped reading (send_timeout)");
            if (context.Upstream is { } upstream) upstream.Destination.Pool.Discard(upstream);
            context.Upstream = null;
            // A request-body relay may still run on the context; it is let go rather than reused then.
            if (!context.RequestBodyPending) _contexts.Return(context);
        }
    }

    private void OnDrain()
    {
        _draining = true;
        if (_idle) _input.CancelPendingRead();
    }

    /// <summary>
    /// Reads and parses the next head. The keep-alive deadline runs until its first byte, then the header deadline;
    /// an expiry before any byte closes the connection quietly, after one answers 408.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<HeadRead> ReadRequestHeadAsync(HttpLimits limits)
    {
        var parser = _context.RequestParser;
        var deadlines = _context.ClientDeadlines;
        parser.Reset();
        // Until a head parses, a gateway answer (431, 408, ...) must not describe the previous request (e.g. as a HEAD).
        _context.Request.Reset();
        deadlines.SetReadDeadline(limits.KeepAliveTimeout);
        var sawBytes = false;
        while (true)
        {
            if (!sawBytes)
            {
                _idle = true;
                // OnDrain sets _draining, then reads _idle: with a full fence here one of the two sides sees the other.
                Interlocked.MemoryBarrier();
                if (_draining)
                {
                    _idle = false;
                    return HeadRead.Closed;
                }
            }
            var result = await _input.ReadAsync().ConfigureAwait(false);
            _idle = false;

            var buffer = result.Buffer;
            if (result.IsCanceled && !sawBytes && buffer.IsEmpty && _draining)
            {
                _input.AdvanceTo(buffer.Start);
                return HeadRead.Closed;
            }
            if (!sawBytes && !buffer.IsEmpty)
            {
                sawBytes = true;
                deadlines.SetReadDeadline(limits.HeaderTimeout);
            }

            var status = parser.TryParse(buffer, _context.Request, limits, out var consumed, out var error);
            if (status == ParseStatus.Complete)
            {
                _input.AdvanceTo(buffer.GetPosition(consumed));
                deadlines.ClearReadDeadline();
                return HeadRead.Ok;
            }
            if (status == ParseStatus.Error)
            {
                _input.AdvanceTo(buffer.End);
                return Fail(ProxyErrors.FromParserStatus(error));
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            // Judged after parsing, so a head that arrived with the cancel is still served.
            if (result.IsCanceled && deadlines.ReadTimedOut)
                return sawBytes ? Fail(ProxyError.RequestTimeout) : HeadRead.Closed;
            if (result.IsCompleted)
            {
                if (buffer.IsEmpty) return HeadRead.Closed;
                return Fail(ProxyError.BadRequest); // the client half-closed inside a head
            }
        }
    }

    private HeadRead Fail(ProxyError error)
    {
        _context.ClientDeadlines.ClearReadDeadline();
        _headError = error;
        return HeadRead.Error;
    }
}
