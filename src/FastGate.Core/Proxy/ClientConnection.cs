using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Telemetry;
using FastGate.Threading;
using FastGate.Upstreams;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace FastGate.Proxy;

/// <summary>
/// The loop of one client connection: parse a request head, route it, forward it over a pooled upstream
/// connection, relay the response, repeat while the connection stays alive. All per-request state lives in
/// the fields of this object, reused from one request to the next.
/// </summary>
internal sealed class ClientConnection
{
    private enum HeadRead : byte { Ok, Closed, Error }

    private enum UpstreamRead : byte { Ok, TimedOut, Closed, Invalid, Aborted }

    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SnapshotHolder _snapshots;
    private readonly ClientInfo _client;
    private readonly GatewayStats _stats;
    private readonly ExchangeStatePool _states;
    private readonly ExchangeState _state;
    private readonly Http1RequestParser _requestParser;
    private readonly Http1ResponseParser _responseParser;
    private readonly RequestHead _request;
    private readonly ResponseHead _response;
    private CancellationTokenSource _timer;
    /// <summary>A request body relay that may still be running: the state must not be reused then.</summary>
    private bool _bodyRelayPending;
    private UpstreamConnection? _upstream;
    private int _errorStatus;
    private volatile bool _idle;
    private volatile bool _draining;

    public ClientConnection(ConnectionContext connection, SnapshotHolder snapshots, ClientInfo client, GatewayStats stats,
        ExchangeStatePool states)
    {
        _states = states;
        _state = states.Rent();
        _requestParser = _state.RequestParser;
        _responseParser = _state.ResponseParser;
        _request = _state.Request;
        _response = _state.Response;
        _timer = _state.Timer;
        _stats = stats;
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _snapshots = snapshots;
        _client = client;
    }

    public async Task RunAsync()
    {
        var lifetime = _connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var drain = lifetime?.ConnectionClosedRequested.Register(static s => ((ClientConnection)s!).OnDrain(), this);
        try
        {
            while (!_draining)
            {
                var snapshot = _snapshots.Current;
                var read = await ReadRequestHeadAsync(snapshot.Limits).ConfigureAwait(false);
                if (read == HeadRead.Closed) return;
                _stats.OnRequest();
                if (read == HeadRead.Error)
                {
                    await RespondAsync(_errorStatus, close: true).ConfigureAwait(false);
                    return;
                }
                if (!await ProxyRequestAsync(snapshot).ConfigureAwait(false)) return;
            }
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            // the client went away; nothing to answer
        }
        finally
        {
            if (_upstream is { } upstream) upstream.Destination.Pool.Discard(upstream);
            _upstream = null;
            _state.Timer = _timer;
            if (_bodyRelayPending) _timer.Dispose();
            else _states.Return(_state);
        }
    }

    private void OnDrain()
    {
        _draining = true;
        if (_idle) _input.CancelPendingRead();
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<HeadRead> ReadRequestHeadAsync(HttpLimits limits)
    {
        _requestParser.Reset();
        ResetTimer();
        _timer.CancelAfter(limits.KeepAliveTimeout);
        var sawBytes = false;
        while (true)
        {
            ReadResult result;
            _idle = !sawBytes;
            try
            {
                result = await _input.ReadAsync(_timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (!sawBytes) return HeadRead.Closed;
                _errorStatus = 408;
                return HeadRead.Error;
            }
            finally
            {
                _idle = false;
            }

            var buffer = result.Buffer;
            if (result.IsCanceled && !sawBytes && _draining && buffer.IsEmpty)
            {
                _input.AdvanceTo(buffer.Start);
                return HeadRead.Closed;
            }
            if (!sawBytes && !buffer.IsEmpty)
            {
                sawBytes = true;
                _timer.CancelAfter(limits.HeaderTimeout);
            }

            var status = _requestParser.TryParse(buffer, _request, limits, out var consumed, out var error);
            if (status == ParseStatus.Complete)
            {
                _input.AdvanceTo(buffer.GetPosition(consumed));
                _timer.CancelAfter(Timeout.Infinite);
                return HeadRead.Ok;
            }
            if (status == ParseStatus.Error)
            {
                _input.AdvanceTo(buffer.End);
                _errorStatus = error;
                return HeadRead.Error;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.IsEmpty) return HeadRead.Closed;
                _errorStatus = 400; // the client half-closed inside a head
                return HeadRead.Error;
            }
        }
    }

    /// <summary>Handles one parsed request. Returns whether the client connection stays open.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> ProxyRequestAsync(GatewaySnapshot snapshot)
    {
        var request = _request;
        var limits = snapshot.Limits;
        if (limits.MaxRequestBodyBytes >= 0 && request.ContentLength > limits.MaxRequestBodyBytes)
            return await RespondAsync(413, close: true).ConfigureAwait(false);

        var path = request.TargetForm == RequestTargetForm.Asterisk || request.Path.IsEmpty ? "/"u8 : request.Path;
        var route = snapshot.Routes.Match(request.Authority, path, request.Method);
        if (route is null) return await RespondAsync(404, close: request.HasBody || !request.KeepAlive).ConfigureAwait(false);

        var destination = route.Cluster.Pick();
        if (destination is null) return await RespondAsync(503, close: request.HasBody || !request.KeepAlive).ConfigureAwait(false);

        destination.OnRequestStart();
        try
        {
            return await ForwardAsync(route, destination, limits).ConfigureAwait(false);
        }
        finally
        {
            destination.OnRequestEnd();
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> ForwardAsync(Route route, DestinationState destination, HttpLimits limits)
    {
        var request = _request;
        var options = route.Cluster.Options;
        var hasBody = request.HasBody;
        var sentContinue = false;
        ValueTask<RelayResult> requestBody = default;
        UpstreamRead read;
        var attempt = 0;

        while (true)
        {
            try
            {
                _upstream = await destination.Pool.RentAsync(allowReuse: attempt == 0).ConfigureAwait(false);
            }
            catch (UpstreamConnectException ex)
            {
                var status = ex.TimedOut ? (destination.Pool.OpenConnections >= options.MaxConnectionsPerDestination ? 503 : 504) : 502;
                return await RespondAsync(status, close: hasBody || !request.KeepAlive).ConfigureAwait(false);
            }
            var upstream = _upstream;
            upstream.ResetTimeout();
            RequestHeadWriter.Write(upstream.Output, request, route, destination.Config, _client);
            if (hasBody && request.ExpectContinue && request.VersionMinor == 1 && !sentContinue)
            {
                _output.Write(ErrorResponses.Continue);
                sentContinue = true;
                if ((await _output.FlushAsync().ConfigureAwait(false)).IsCompleted) return Abandon();
            }
            if (!await FlushUpstreamAsync(upstream).ConfigureAwait(false))
            {
                read = UpstreamRead.Closed;
            }
            else
            {
                if (hasBody)
                {
                    _bodyRelayPending = true;
                    requestBody = RelayRequestBodyAsync(upstream, limits, options.ResponseTimeout);
                }
                read = await ReadResponseHeadAsync(upstream, request.Method, StartsResponseClock(hasBody, requestBody), options.ResponseTimeout, limits).ConfigureAwait(false);
            }

            // A pooled connection the upstream had already closed: try once more on a fresh one.
            if (read == UpstreamRead.Closed && upstream.IsReused && !hasBody && attempt == 0)
            {
                DiscardUpstream();
                attempt++;
                continue;
            }
            break;
        }

        while (read == UpstreamRead.Ok && _response.StatusCode < 200 && _response.StatusCode != 101)
        {
            // Never to an HTTP/1.0 client (RFC 9110 §15.2); a 100 after our own was already sent is redundant.
            if (request.VersionMinor == 1 && !(_response.StatusCode == 100 && sentContinue))
            {
                ResponseHeadWriter.Write(_output, _response, ClientFraming.None, default, upgrade: false);
                if ((await _output.FlushAsync().ConfigureAwait(false)).IsCompleted) return Abandon();
            }
            read = await ReadResponseHeadAsync(_upstream, request.Method, StartsResponseClock(hasBody, requestBody), options.ResponseTimeout, limits).ConfigureAwait(false);
        }

        if (read != UpstreamRead.Ok)
            return await FailBeforeResponseAsync(read, hasBody, requestBody).ConfigureAwait(false);

        // An HTTP/1.0 client cannot be told of a transfer coding such as gzip, so that body cannot reach it intact.
        if (_response.HasOtherTransferCodings && _response.Framing == ResponseFraming.Chunked && request.VersionMinor == 0)
            return await FailBeforeResponseAsync(UpstreamRead.Invalid, hasBody, requestBody).ConfigureAwait(false);

        if (_response.StatusCode == 101)
        {
            if (!request.IsUpgrade) return await FailBeforeResponseAsync(UpstreamRead.Invalid, hasBody, requestBody).ConfigureAwait(false);
            ResponseHeadWriter.Write(_output, _response, ClientFraming.None, default, upgrade: true);
            await _output.FlushAsync().ConfigureAwait(false);
            var tunnelled = _upstream;
            _upstream = null;
            await Tunnel.RunAsync(_input, _output, tunnelled).ConfigureAwait(false);
            return false;
        }

        return await RelayResponseAsync(options, hasBody, requestBody).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> RelayResponseAsync(ClusterOptions options, bool hasBody, ValueTask<RelayResult> requestBody)
    {
        var upstream = _upstream!;
        var request = _request;
        var response = _response;
        var framing = ResponseHeadWriter.ChooseFraming(response, request.VersionMinor == 1);
        // An answer that comes before the whole request body leaves the rest of that body unread: say the connection ends.
        var close = !request.KeepAlive || framing == ClientFraming.Close || _draining || (hasBody && !requestBody.IsCompleted);
        var connection = close ? "close"u8 : request.VersionMinor == 0 ? "keep-alive"u8 : default;
        ResponseHeadWriter.Write(_output, response, framing, connection, upgrade: false);

        var idle = options.ResponseTimeout;
        var relayed = response.Framing switch
        {
            ResponseFraming.None => RelayResult.Done,
            ResponseFraming.ContentLength => await BodyRelay.CopyContentLengthAsync(upstream.Input, _output,
                response.ContentLength, upstream.Timeout, idle).ConfigureAwait(false),
            ResponseFraming.Chunked => await BodyRelay.CopyChunkedAsync(upstream.Input, _output,
                reframe: framing == ClientFraming.Chunked, maxBytes: -1, maxTrailerBytes: 64 * 1024, upstream.Timeout, idle).ConfigureAwait(false),
            _ => await BodyRelay.CopyUntilCloseAsync(upstream.Input, _output,
                chunk: framing == ClientFraming.Chunked, upstream.Timeout, idle).ConfigureAwait(false),
        };
        var flushed = !(await _output.FlushAsync().ConfigureAwait(false)).IsCompleted;

        var bodySent = RelayResult.Done;
        if (hasBody)
        {
            if (!requestBody.IsCompleted)
            {
                // The upstream answered before reading the whole body: stop relaying it; the client's
                // connection cannot be reused because the rest of its body is still unread.
                CancelTimer();
                close = true;
            }
            bodySent = await requestBody.ConfigureAwait(false);
            _bodyRelayPending = false;
        }

        if (relayed == RelayResult.Done && bodySent == RelayResult.Done && response.KeepAlive)
        {
            _upstream = null;
            upstream.Destination.Pool.Return(upstream);
        }
        else
        {
            DiscardUpstream();
        }
        return flushed && relayed == RelayResult.Done && bodySent == RelayResult.Done && !close;
    }

    /// <summary>Streams the request body upstream, concurrently with the wait for the response.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<RelayResult> RelayRequestBodyAsync(UpstreamConnection upstream, HttpLimits limits, TimeSpan responseTimeout)
    {
        var request = _request;
        var result = request.Chunked
            ? await BodyRelay.CopyChunkedAsync(_input, upstream.Output, reframe: true, limits.MaxRequestBodyBytes,
                limits.MaxHeaderBytes, _timer, limits.KeepAliveTimeout).ConfigureAwait(false)
            : await BodyRelay.CopyContentLengthAsync(_input, upstream.Output, request.ContentLength, _timer,
                limits.KeepAliveTimeout).ConfigureAwait(false);
        if (result == RelayResult.Done && !await FlushUpstreamAsync(upstream).ConfigureAwait(false))
            result = RelayResult.DestinationClosed;
        // The response clock runs from the end of the request, not its start: a slow upload is not a slow upstream.
        if (result == RelayResult.Done) upstream.Timeout.CancelAfter(responseTimeout);
        // A client-side failure leaves the upstream waiting for bytes that will never come: wake the response reader.
        if (result is not (RelayResult.Done or RelayResult.DestinationClosed)) upstream.Input.CancelPendingRead();
        return result;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    /// <param name="startClock">false while the request body is still being sent: its relay starts the clock when done.</param>
    private async ValueTask<UpstreamRead> ReadResponseHeadAsync(UpstreamConnection upstream, HttpMethod method,
        bool startClock, TimeSpan timeout, HttpLimits limits)
    {
        _responseParser.Reset();
        if (startClock) upstream.Timeout.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await upstream.Input.ReadAsync(upstream.Timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return UpstreamRead.TimedOut;
            }
            catch (Exception ex) when (BodyRelay.IsTransportError(ex))
            {
                return UpstreamRead.Closed;
            }
            var buffer = result.Buffer;
            var status = _responseParser.TryParse(buffer, _response, method, limits.MaxResponseHeaderBytes, out var consumed);
            if (status == ParseStatus.Complete)
            {
                upstream.Input.AdvanceTo(buffer.GetPosition(consumed));
                return UpstreamRead.Ok;
            }
            upstream.Input.AdvanceTo(buffer.Start, buffer.End);
            if (status == ParseStatus.Error) return UpstreamRead.Invalid;
            if (result.IsCanceled) return UpstreamRead.Aborted;
            if (result.IsCompleted) return buffer.IsEmpty ? UpstreamRead.Closed : UpstreamRead.Invalid;
        }
    }

    /// <summary>
    /// The response timeout starts once the request is fully sent; until then the body relay owns the clock.
    /// (Only ever armed here, never disarmed, so a relay finishing concurrently cannot lose its start.)
    /// </summary>
    private static bool StartsResponseClock(bool hasBody, ValueTask<RelayResult> requestBody) => !hasBody || requestBody.IsCompleted;

    /// <summary>No usable response head came back: answer the client with the gateway's own status.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> FailBeforeResponseAsync(UpstreamRead read, bool hasBody, ValueTask<RelayResult> requestBody)
    {
        DiscardUpstream(); // also unblocks a request-body relay stuck writing to it
        var bodySent = RelayResult.Done;
        if (hasBody)
        {
            if (!requestBody.IsCompleted) CancelTimer();
            bodySent = await requestBody.ConfigureAwait(false);
            _bodyRelayPending = false;
        }
        var status = read switch
        {
            UpstreamRead.TimedOut => 504,
            UpstreamRead.Aborted => bodySent switch
            {
                RelayResult.Invalid => 400,
                RelayResult.TooLarge => 413,
                RelayResult.TimedOut => 408,
                _ => 0, // the client went away mid-body
            },
            _ => 502,
        };
        if (status == 0) return false;
        var close = bodySent != RelayResult.Done || !_request.KeepAlive;
        return await RespondAsync(status, close).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> RespondAsync(int status, bool close)
    {
        _output.Write(ErrorResponses.Get(status, close));
        var flush = await _output.FlushAsync().ConfigureAwait(false);
        return !close && !flush.IsCompleted;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> FlushUpstreamAsync(UpstreamConnection upstream)
    {
        try
        {
            return !(await upstream.Output.FlushAsync().ConfigureAwait(false)).IsCompleted;
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            return false;
        }
    }

    private bool Abandon()
    {
        DiscardUpstream();
        return false;
    }

    private void DiscardUpstream()
    {
        if (_upstream is { } upstream)
        {
            _upstream = null;
            upstream.Destination.Pool.Discard(upstream);
        }
    }

    private void ResetTimer()
    {
        if (_timer.TryReset()) return;
        _timer.Dispose();
        _timer = new CancellationTokenSource();
    }

    private void CancelTimer()
    {
        try { _timer.Cancel(); } catch (ObjectDisposedException) { }
    }
}
