using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastGate.Http;
using FastGate.Threading;
using FastGate.Upstreams;

namespace FastGate.Proxy;

/// <summary>
/// Phase 5 and the relay of phase 6: one attempt at a destination (lease a connection, send the head, stream the
/// request body beside the wait for the response head, relay interim responses) that returns an outcome instead of
/// answering the client; then the response relay, or the tunnel after a 101.
/// </summary>
internal static class UpstreamExchange
{
    private enum HeadRead : byte { Ok, TimedOut, Closed, Invalid, Aborted }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<UpstreamOutcome> SendAsync(ExchangeContext context, DestinationState destination, bool allowReuse)
    {
        var request = context.Request;
        var route = context.Route!;
        var options = route.Cluster.Options;
        var hasBody = request.HasBody;
        context.Attempts++;
        Telemetry.Tracing.ExchangeTracing.BeginAttempt(context, destination);
        var kept = context.KeptBody;
        if (kept.IsKept)
        {
            kept.Rewind();
            context.RequestBody.Reset();
        }

        UpstreamConnection upstream;
        try
        {
            upstream = await destination.Pool.RentAsync(allowReuse, route.Timeouts.Connect).ConfigureAwait(false);
        }
        catch (UpstreamConnectException ex)
        {
            context.Error = !ex.TimedOut ? ProxyError.UpstreamConnectFailed
                : destination.Pool.OpenConnections >= options.MaxConnectionsPerDestination ? ProxyError.PoolExhausted
                : ProxyError.UpstreamConnectTimeout;
            context.CloseConnection |= hasBody && !kept.IsKept; // an unread body stays in the connection
            return UpstreamOutcome.Failed;
        }
        context.Upstream = upstream;
        context.UpstreamConnectedAt = Stopwatch.GetTimestamp();
        upstream.Deadlines.Clear();

        RequestHeadWriter.Write(context.HeadBuffer.Begin(upstream.Output), request, route, destination.Config, context.Client,
            context.Snapshot.Telemetry.RequestIdHeaderBytes, context.RequestId, context.Trace.ForwardedParent, context.RequestEdits);
        context.HeadBuffer.End();
        if (!await SendContinueIfExpectedAsync(context).ConfigureAwait(false)) return await AbandonAsync(context).ConfigureAwait(false);

        HeadRead read;
        var flushing = FlushUpstreamAsync(context, upstream);
        // A head flushed at once left within microseconds of the lease: the response clock can run from that
        // timestamp instead of reading the clock again. One whose flush waited is timed from when it is sent.
        var sentAt = flushing.IsCompleted ? context.UpstreamConnectedAt : 0;
        var headSent = await flushing.ConfigureAwait(false);
        if (headSent != RelayResult.Done)
        {
            if (headSent == RelayResult.SendTimedOut) upstream.ResetWhenClosed = true;
            read = headSent == RelayResult.SendTimedOut ? HeadRead.TimedOut : HeadRead.Closed;
        }
        else
        {
            if (hasBody)
            {
                context.RequestBodyPending = true;
                context.RequestBodyRelay = RelayRequestBodyAsync(context, upstream);
            }
            read = await ReadResponseHeadAsync(context, upstream, sentAt).ConfigureAwait(false);
        }

        if (allowReuse && upstream.IsReused && IsStale(request, kept.IsKept, headSent, read))
        {
            DiscardUpstream(context);
            return UpstreamOutcome.Stale;
        }

        var response = context.Response;
        while (read == HeadRead.Ok && response.StatusCode < 200 && response.StatusCode != 101)
        {
            // Never to an HTTP/1.0 client (RFC 9110 §15.2); a 100 after our own was already sent is redundant.
            if (request.VersionMinor == 1 && !(response.StatusCode == 100 && context.SentContinue))
            {
                ResponseHeadWriter.Write(context.ClientOutput, response, ClientFraming.None, default, upgrade: false, extra: null);
                context.InterimSent = true;
                if (!await FlushClientAsync(context).ConfigureAwait(false)) return await AbandonAsync(context).ConfigureAwait(false);
            }
            read = await ReadResponseHeadAsync(context, upstream, sentAt: 0).ConfigureAwait(false);
        }

        if (read != HeadRead.Ok) return await FailAsync(context, read).ConfigureAwait(false);
        // An HTTP/1.0 client cannot be told of a transfer coding such as gzip, so that body cannot reach it intact.
        if (response.HasOtherTransferCodings && response.Framing == ResponseFraming.Chunked && request.VersionMinor == 0)
            return await FailAsync(context, HeadRead.Invalid).ConfigureAwait(false);
        if (response.StatusCode == 101)
            return request.IsUpgrade ? UpstreamOutcome.Upgraded : await FailAsync(context, HeadRead.Invalid).ConfigureAwait(false);
        return UpstreamOutcome.Response;
    }

    /// <summary>
    /// Whether a pooled connection turned out dead in a way that makes sending the request again safe: the head
    /// could not even be written (nothing reached the upstream, and the body is still unread), or the connection
    /// closed without a byte of answer to an idempotent request whose body (if any) is kept to be sent again. A
    /// request that may have been processed is never sent twice otherwise (RFC 9110 §9.2.2).
    /// </summary>
    private static bool IsStale(RequestHead request, bool bodyKept, RelayResult headSent, HeadRead read)
    {
        if (headSent == RelayResult.DestinationClosed) return true;
        return read == HeadRead.Closed && (!request.HasBody || bodyKept) && HttpMethodSet.Idempotent.Contains(request.Method);
    }

    /// <summary>Writes the response head (with the response policies' edits) and streams the body; returns whether the client connection stays open.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<bool> RelayResponseAsync(ExchangeContext context)
    {
        var upstream = context.Upstream!;
        var request = context.Request;
        var response = context.Response;
        var options = context.Route!.Cluster.Options;
        var hasBody = request.HasBody;
        var output = context.ClientOutput;
        var framing = ResponseHeadWriter.ChooseFraming(response, request.VersionMinor == 1);
        // An answer that comes before the whole request body leaves the rest of that body unread: say the connection ends.
        var close = !request.KeepAlive || framing == ClientFraming.Close || context.ClientDraining
            || context.CloseConnection || (hasBody && !context.RequestBodyRelay.IsCompleted);
        var connection = close ? "close"u8 : request.VersionMinor == 0 ? "keep-alive"u8 : default;
        ResponseHeadWriter.Write(context.HeadBuffer.Begin(output), response, framing, connection, upgrade: false, context.ResponseEdits.Added);
        context.HeadBuffer.End();

        var limits = context.Snapshot.Limits;
        var timing = new RelayTiming(upstream.Deadlines, context.ClientDeadlines, context.Route!.Timeouts.Body, limits.SendTimeout,
            NotAfter: context.Deadline);
        var progress = context.ResponseBody;
        // Through the spool, a client slower than the upstream does not hold the upstream connection.
        if (response.Framing != ResponseFraming.None && (limits.ResponseBuffer > 0 || limits.Spool))
            output = context.ResponseSpool.Begin(output, context.ClientDeadlines, limits,
                response.Framing == ResponseFraming.ContentLength ? response.ContentLength : -1);
        if (context.Cache.Filling) output = context.Cache.Tee(output);
        var relayed = response.Framing switch
        {
            ResponseFraming.None => RelayResult.Done,
            ResponseFraming.ContentLength => await BodyRelay.CopyContentLengthAsync(upstream.Input, output,
                response.ContentLength, timing, progress).ConfigureAwait(false),
            ResponseFraming.Chunked => await BodyRelay.CopyChunkedAsync(upstream.Input, output,
                reframe: framing == ClientFraming.Chunked, maxBytes: -1, maxTrailerBytes: 64 * 1024, timing, progress).ConfigureAwait(false),
            _ => await BodyRelay.CopyUntilCloseAsync(upstream.Input, output,
                chunk: framing == ClientFraming.Chunked, timing, progress).ConfigureAwait(false),
        };
        var flushed = relayed is RelayResult.SendTimedOut or RelayResult.DestinationClosed
            ? relayed
            : await BodyRelay.FlushAsync(output, timing).ConfigureAwait(false);

        var bodySent = RelayResult.Done;
        if (hasBody)
        {
            // The upstream may have answered before reading the whole body: then the relay is stopped, and the
            // client's connection cannot be reused because the rest of its body is still unread.
            close |= !context.RequestBodyRelay.IsCompleted;
            bodySent = await StopRequestBodyAsync(context).ConfigureAwait(false);
        }

        if (context.Upstream is not null && relayed == RelayResult.Done && bodySent == RelayResult.Done && response.KeepAlive)
        {
            context.Upstream = null;
            upstream.Deadlines.Clear();
            upstream.Destination.Pool.Return(upstream);
        }
        else
        {
            DiscardUpstream(context);
        }

        if (context.ResponseSpool.IsHolding)
        {
            // The upstream is released: the client gets what is held at its own pace.
            if (relayed == RelayResult.Done && flushed == RelayResult.Done)
            {
                var drained = await context.ResponseSpool.DrainAsync().ConfigureAwait(false);
                flushed = drained.IsCompleted ? RelayResult.DestinationClosed : drained.IsCanceled ? RelayResult.SendTimedOut : RelayResult.Done;
            }
            context.ResponseSpool.Reset();
        }

        if (flushed == RelayResult.SendTimedOut || relayed == RelayResult.SendTimedOut) context.AbortClient();
        else if (relayed == RelayResult.DestinationClosed || flushed == RelayResult.DestinationClosed) context.Error = ProxyError.ClientAborted;
        else if (relayed != RelayResult.Done) context.Error = ProxyError.UpstreamBodyFailed;
        var complete = relayed == RelayResult.Done && flushed == RelayResult.Done;
        context.Outcome = complete ? ExchangeOutcome.Proxied : ExchangeOutcome.Aborted;
        return complete && bodySent == RelayResult.Done && !close;
    }

    /// <summary>After a 101: the head goes to the client, then both connections become one opaque byte stream.</summary>
    public static async Task TunnelAsync(ExchangeContext context)
    {
        ResponseHeadWriter.Write(context.ClientOutput, context.Response, ClientFraming.None, default, upgrade: true, extra: null);
        context.Status = 101;
        if (!await FlushClientAsync(context).ConfigureAwait(false))
        {
            DiscardUpstream(context);
            return;
        }
        // An upgrade request with a body: the body goes first, so the tunnel is the client input's only reader.
        if (context.Request.HasBody)
        {
            var bodySent = await context.RequestBodyRelay.ConfigureAwait(false);
            context.RequestBodyPending = false;
            if (bodySent != RelayResult.Done)
            {
                DiscardUpstream(context);
                return;
            }
        }
        var upstream = context.Upstream!;
        context.Upstream = null;
        upstream.Deadlines.Clear();
        context.ClientDeadlines.Clear();
        await Tunnel.RunAsync(context.ClientInput, context.ClientOutput, upstream).ConfigureAwait(false);
        context.Outcome = ExchangeOutcome.Tunnelled;
    }

    /// <summary>Streams the request body upstream, concurrently with the wait for the response.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<RelayResult> RelayRequestBodyAsync(ExchangeContext context, UpstreamConnection upstream)
    {
        var request = context.Request;
        var limits = context.Snapshot.Limits;
        var timing = new RelayTiming(context.ClientDeadlines, upstream.Deadlines, limits.KeepAliveTimeout, limits.SendTimeout,
            new BodyRate(limits.MinRequestBodyRate, limits.MinRequestBodyRateGrace, context.RequestBody));
        var result = request.Chunked
            ? await BodyRelay.CopyChunkedAsync(context.RequestBodySource, upstream.Output, reframe: true, limits.MaxRequestBodyBytes,
                limits.MaxHeaderBytes, timing, context.RequestBody).ConfigureAwait(false)
            : await BodyRelay.CopyContentLengthAsync(context.RequestBodySource, upstream.Output, request.ContentLength, timing,
                context.RequestBody).ConfigureAwait(false);
        context.RequestBodyComplete = result == RelayResult.Done || context.KeptBody.IsKept;
        if (result == RelayResult.Done) result = await FlushUpstreamAsync(context, upstream).ConfigureAwait(false);
        // The response clock runs from the end of the request, not its start: a slow upload is not a slow upstream.
        // An upstream that stopped reading may still answer (413 and close), so it gets the same clock.
        if (result is RelayResult.Done or RelayResult.DestinationClosed && context.ResponseHeadAt == 0)
            upstream.Deadlines.SetReadDeadline(context.Route!.Timeouts.Response, context.Deadline);
        if (result == RelayResult.SendTimedOut) upstream.ResetWhenClosed = true;
        // A client-side failure (or an upstream that takes nothing) leaves the response reader waiting for an
        // answer to a request that will never be complete: wake it.
        if (result is not (RelayResult.Done or RelayResult.DestinationClosed)) upstream.Deadlines.AbortRead();
        return result;
    }

    /// <summary>
    /// Reads the next response head. The response deadline starts once the request is fully sent; while its body is
    /// still being relayed, the relay starts it when done (only ever armed here, never disarmed, so a relay finishing
    /// concurrently cannot lose its start).
    /// </summary>
    /// <param name="sentAt">When the request (a head without a body) was sent, a timestamp already taken; 0: read the clock.</param>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<HeadRead> ReadResponseHeadAsync(ExchangeContext context, UpstreamConnection upstream, long sentAt)
    {
        var parser = context.ResponseParser;
        var response = context.Response;
        var deadlines = upstream.Deadlines;
        var input = upstream.Input;
        var limits = context.Snapshot.Limits;
        parser.Reset();
        if (!context.Request.HasBody || context.RequestBodyRelay.IsCompleted)
        {
            var timeout = context.Route!.Timeouts.Response;
            if (sentAt != 0) deadlines.SetReadDeadlineFrom(sentAt, timeout, context.Deadline);
            else deadlines.SetReadDeadline(timeout, context.Deadline);
        }
        while (true)
        {
            System.IO.Pipelines.ReadResult result;
            try
            {
                result = await input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (BodyRelay.IsTransportError(ex))
            {
                return HeadRead.Closed;
            }
            var buffer = result.Buffer;
            if (result.IsCanceled && (deadlines.Aborted || deadlines.ReadTimedOut))
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return deadlines.Aborted ? HeadRead.Aborted : HeadRead.TimedOut;
            }
            var status = parser.TryParse(buffer, response, context.Request.Method, limits.MaxResponseHeaderBytes, out var consumed);
            if (status == ParseStatus.Complete)
            {
                input.AdvanceTo(buffer.GetPosition(consumed));
                if (response.StatusCode >= 200 || response.StatusCode == 101)
                {
                    deadlines.ClearReadDeadline();
                    context.ResponseHeadAt = Stopwatch.GetTimestamp();
                }
                return HeadRead.Ok;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (status == ParseStatus.Error) return HeadRead.Invalid;
            if (result.IsCompleted) return buffer.IsEmpty ? HeadRead.Closed : HeadRead.Invalid;
        }
    }

    /// <summary>No usable response head came back: settle the request body and say what the client should get.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<UpstreamOutcome> FailAsync(ExchangeContext context, HeadRead read)
    {
        var bodySent = await StopRequestBodyAsync(context).ConfigureAwait(false);
        DiscardUpstream(context);
        context.Error = read switch
        {
            HeadRead.TimedOut => ProxyError.UpstreamTimeout,
            HeadRead.Aborted => bodySent switch
            {
                RelayResult.Invalid => ProxyError.BadRequest,
                RelayResult.TooLarge => ProxyError.BodyTooLarge,
                RelayResult.TimedOut => ProxyError.RequestTimeout,
                RelayResult.SendTimedOut => ProxyError.UpstreamSendTimeout,
                _ => ProxyError.ClientAborted,
            },
            HeadRead.Invalid => ProxyError.UpstreamInvalidResponse,
            _ => ProxyError.UpstreamClosed,
        };
        if (bodySent != RelayResult.Done) context.CloseConnection = true;
        return UpstreamOutcome.Failed;
    }

    /// <summary>Sends our own 100 (Continue) to a client that waits for one before its body; false when the client is gone.</summary>
    internal static ValueTask<bool> SendContinueIfExpectedAsync(ExchangeContext context)
    {
        var request = context.Request;
        if (!request.HasBody || !request.ExpectContinue || request.VersionMinor != 1 || context.SentContinue) return new(true);
        StatusLines.Write(context.ClientOutput, 100);
        context.ClientOutput.Write("\r\n"u8);
        context.SentContinue = true;
        return FlushClientAsync(context);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<bool> FlushClientAsync(ExchangeContext context)
    {
        var flushed = await BodyRelay.FlushAsync(context.ClientOutput, context.ClientFlushTiming).ConfigureAwait(false);
        if (flushed == RelayResult.SendTimedOut) context.AbortClient();
        return flushed == RelayResult.Done;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<RelayResult> FlushUpstreamAsync(ExchangeContext context, UpstreamConnection upstream)
    {
        try
        {
            var timing = new RelayTiming(upstream.Deadlines, upstream.Deadlines, Timeout.InfiniteTimeSpan, context.Snapshot.Limits.SendTimeout);
            return await BodyRelay.FlushAsync(upstream.Output, timing).ConfigureAwait(false);
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            return RelayResult.DestinationClosed;
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<UpstreamOutcome> AbandonAsync(ExchangeContext context)
    {
        await StopRequestBodyAsync(context).ConfigureAwait(false);
        DiscardUpstream(context);
        if (context.Error == ProxyError.None) context.Error = ProxyError.ClientAborted;
        return UpstreamOutcome.ClientGone;
    }

    /// <summary>
    /// Ends the request-body relay of this attempt, if one runs, and returns how it ended. A relay still under way is
    /// stopped from both of its waits (the flush to the upstream, the read from the client) rather than by closing
    /// the upstream under it, so only the relay itself ever writes the upstream's pipe.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    internal static async ValueTask<RelayResult> StopRequestBodyAsync(ExchangeContext context)
    {
        if (!context.RequestBodyPending) return RelayResult.Done;
        if (!context.RequestBodyRelay.IsCompleted)
        {
            context.Upstream?.Deadlines.AbortFlush();
            // A kept body is read without waiting; the client's pipe is not the relay's to wake then.
            if (!context.KeptBody.IsKept) context.ClientDeadlines.AbortRead();
        }
        var result = await context.RequestBodyRelay.ConfigureAwait(false);
        context.RequestBodyPending = false;
        return result;
    }

    /// <summary>
    /// A response the cache answers for instead of relaying it: a bodiless one (a 304) leaves its connection to the
    /// pool, anything else closes it with the body unread.
    /// </summary>
    internal static void ReleaseUnrelayed(ExchangeContext context)
    {
        if (context.Upstream is not { } upstream) return;
        if (context.Response.Framing == ResponseFraming.None && context.Response.KeepAlive && !context.RequestBodyPending)
        {
            context.Upstream = null;
            upstream.Deadlines.Clear();
            upstream.Destination.Pool.Return(upstream);
        }
        else DiscardUpstream(context);
    }

    /// <summary>A response the exchange will not relay (its status is retried): its connection is closed, body unread.</summary>
    internal static void DiscardResponse(ExchangeContext context) => DiscardUpstream(context);

    /// <summary>The upstream connection the exchange holds, if any, is closed rather than pooled.</summary>
    internal static void DiscardUpstream(ExchangeContext context)
    {
        if (context.Upstream is { } upstream)
        {
            context.Upstream = null;
            upstream.Destination.Pool.Discard(upstream);
        }
    }
}
