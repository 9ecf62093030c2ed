using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastGate.Balancing;
using FastGate.Buffering;
using FastGate.Caching;
using FastGate.Deadlines;
using FastGate.Http;
using FastGate.Policies;
using FastGate.Resilience;
using FastGate.Telemetry;
using FastGate.Upstreams;
using FastGate.Telemetry.Tracing;
using FastGate.Threading;

namespace FastGate.Proxy;

/// <summary>
/// One request through the phases: (1, parsed by the connection) → route → request policies → cache → upstream
/// attempts → response policies and relay → complete (observers, exactly once). Returns whether the client
/// connection may carry another exchange.
/// </summary>
internal static class Exchange
{
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<bool> RunAsync(ExchangeContext context, ProxyError headError)
    {
        try
        {
            var requestIdHeader = context.Snapshot.Telemetry.RequestIdHeaderBytes;
            if (requestIdHeader.Length > 0) RequestId.Assign(context, requestIdHeader, headParsed: headError == ProxyError.None);
            if (context.Snapshot.Tracing.Enabled) ExchangeTracing.Begin(context, context.Snapshot.Tracing.Sampler, headParsed: headError == ProxyError.None);
            if (headError != ProxyError.None) return await RespondAsync(context, headError, close: true).ConfigureAwait(false);

            var request = context.Request;
            var snapshot = context.Snapshot;
            var limits = snapshot.Limits;
            // An answer before the body is read leaves that body in the connection: it cannot carry another request.
            var closeIfAnswered = request.HasBody || !request.KeepAlive;
            if (limits.MaxRequestBodyBytes >= 0 && request.ContentLength > limits.MaxRequestBodyBytes)
                return await RespondAsync(context, ProxyError.BodyTooLarge, close: true).ConfigureAwait(false);

            // 2: route
            var path = request.TargetForm == RequestTargetForm.Asterisk || request.Path.IsEmpty ? "/"u8 : request.Path;
            var route = snapshot.Routes.Match(request.Authority, path, request.Method);
            context.RoutedAt = Stopwatch.GetTimestamp();
            if (route is null) return await RespondAsync(context, ProxyError.NoRoute, closeIfAnswered).ConfigureAwait(false);
            context.Route = route;

            // 3: request policies
            var policies = route.Policies.Request;
            for (var i = 0; i < policies.Length; i++)
            {
                if (await policies[i].OnRequestAsync(context).ConfigureAwait(false) == PolicyDecision.Respond)
                    return await WriteLocalAsync(context, closeIfAnswered).ConfigureAwait(false);
            }

            // 4: cache
            if (route.Cache is { } cache && await cache.LookupAsync(context).ConfigureAwait(false) == CacheLookup.Hit)
            {
                if (context.Outcome == ExchangeOutcome.Pending) context.Outcome = ExchangeOutcome.Local;
                return !closeIfAnswered && !context.CloseConnection && !context.ClientDraining;
            }

            // 5: upstream, once the body has shown it arrives (a dribbling body never holds an upstream connection)
            var keepable = KeepableBody(request, route.Cluster.Retry);
            if (request.HasBody && (limits.RequestBuffer > 0 || keepable > 0))
            {
                var buffered = await RequestBodyBuffering.FillAsync(context, keepable).ConfigureAwait(false);
                if (buffered != RelayResult.Done) return await RefuseBodyAsync(context, buffered).ConfigureAwait(false);
            }
            var cluster = route.Cluster;
            var bulkhead = cluster.State.Bulkhead;
            if (bulkhead is not null && !await bulkhead.EnterAsync().ConfigureAwait(false))
                return await RespondAsync(context, ProxyError.Overloaded, closeIfAnswered).ConfigureAwait(false);
            try
            {
                // 5 and 6: attempts at the cluster's destinations (one, plus one on a fresh connection when a pooled
                // one was found closed; more under the cluster's retry policy, each at a destination not tried yet,
                // after a jittered backoff and within the retry budget), then the response policies and the relay.
                // Inline, not a method of its own: one async state machine less to box and resume per request.
                var state = cluster.State;
                var retry = cluster.Retry;
                var total = route.Timeouts.Request;
                context.Deadline = Heartbeat.After(total, context.StartedAt); // Never when there is none
                if (retry is not null) state.RetryBudget.OnRequest(Stopwatch.GetTimestamp());
                // A body is sent again only when it was read whole and kept; an upgrade cannot be repeated.
                var mayRetry = retry is not null && !request.IsUpgrade && retry.Methods.Contains(request.Method)
                    && (!request.HasBody || KeepBody(context, retry.MaxBody));
                for (var attempt = 1; ; attempt++)
                {
                    var delay = TimeSpan.Zero;
                    var destination = Pick(context, cluster, state, attempt, out var refused);
                    if (refused || destination is null)
                    {
                        var error = !refused && BreakerRetryAfter.TryAdd(context.Local, state, Stopwatch.GetTimestamp()) ? ProxyError.BreakerOpen : ProxyError.NoDestination;
                        context.Error = error;
                        // A stale entry within stale-if-error stands in for the error.
                        if (route.Cache is { } staleCache && staleCache.OnUpstreamFailed(context)) return await staleCache.AnswerAsync(context).ConfigureAwait(false);
                        return await RespondAsync(context, error, closeIfAnswered).ConfigureAwait(false);
                    }
                    context.Destination = destination;
                    context.Tried[attempt - 1] = destination;
                    destination.OnRequestStart();
                    try
                    {
                        var outcome = await UpstreamExchange.SendAsync(context, destination, allowReuse: true).ConfigureAwait(false);
                        // A pooled connection the upstream had already closed: once more, on a fresh one.
                        if (outcome == UpstreamOutcome.Stale)
                        {
                            ExchangeTracing.EndAttempt(context, responded: false);
                            outcome = await UpstreamExchange.SendAsync(context, destination, allowReuse: false).ConfigureAwait(false);
                        }

                        // A retry must also fit before the exchange's deadline, backoff included.
                        if (mayRetry && attempt < retry!.Attempts && ShouldRetry(context, retry, outcome)
                            && Heartbeat.After(delay = retry.Delay(attempt)) < context.Deadline
                            && state.RetryBudget.TryRetry(retry.BudgetPercent, Stopwatch.GetTimestamp()))
                        {
                            if (outcome == UpstreamOutcome.Response) UpstreamExchange.DiscardResponse(context);
                            destination.Stats.RecordRetriedAttempt(context.Error);
                        }
                        else
                        {
                            switch (outcome)
                            {
                                case UpstreamOutcome.ClientGone:
                                    return false;
                                case UpstreamOutcome.Failed:
                                    if (ProxyErrors.StatusOf(context.Error) == 0) return false;
                                    if (route.Cache is { } staleCache && staleCache.OnUpstreamFailed(context))
                                        return await staleCache.AnswerAsync(context).ConfigureAwait(false);
                                    return await RespondAsync(context, context.Error, context.CloseConnection || !request.KeepAlive).ConfigureAwait(false);
                                case UpstreamOutcome.Upgraded:
                                    await UpstreamExchange.TunnelAsync(context).ConfigureAwait(false);
                                    return false;
                            }

                            // 6: response policies, then the head and body
                            context.Status = context.Response.StatusCode;
                            context.ResponseEdits.Reset(context.Response);
                            EchoRequestId(context);
                            if (context.AffinityCookie is { } cookie) context.ResponseEdits.Add("Set-Cookie"u8, cookie);
                            RunResponsePolicies(context);
                            // The cache may answer from its entry instead: a 304 to its revalidation, or an error a stale entry stands in for.
                            if (route.Cache is { } responseCache && responseCache.OnResponse(context))
                                return await responseCache.AnswerAsync(context).ConfigureAwait(false);
                            return await UpstreamExchange.RelayResponseAsync(context).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        if (state.Balancer is ILatencyAwareBalancer) ObserveLatency(context, destination);
                        destination.ReportAttempt(AttemptResults.Of(context.Error, context.ResponseHeadAt != 0, context.Response.StatusCode));
                        ExchangeTracing.EndAttempt(context, responded: context.ResponseHeadAt != 0);
                        destination.OnRequestEnd();
                    }

                    if (delay > TimeSpan.Zero) await Task.Delay(delay).ConfigureAwait(false);
                    context.BeginAttempt();
                }
            }
            finally
            {
                bulkhead?.Leave();
            }
        }
        finally
        {
            Complete(context);
        }
    }

    /// <summary>The most body bytes worth waiting for so that a retry can send them again: 0 when none could be.</summary>
    private static int KeepableBody(RequestHead request, RetryPolicy? retry) =>
        retry is not null && request.HasBody && !request.IsUpgrade && retry.Methods.Contains(request.Method) ? retry.MaxBody : 0;

    /// <summary>
    /// Takes the request body out of the client's pipe into <see cref="ExchangeContext.KeptBody"/> when request
    /// buffering saw all of it and it is at most <paramref name="maxBody"/> bytes; otherwise it streams, once.
    /// </summary>
    private static bool KeepBody(ExchangeContext context, int maxBody)
    {
        var length = context.WholeBodyLength;
        if (length < 0 || length > maxBody || !context.ClientInput.TryRead(out var read)) return false;
        var buffer = read.Buffer;
        if (buffer.Length < length)
        {
            context.ClientInput.AdvanceTo(buffer.Start);
            return false;
        }
        context.KeptBody.Keep(buffer, (int)length);
        context.ClientInput.AdvanceTo(buffer.GetPosition(length));
        context.RequestBodyComplete = true;
        return true;
    }

    /// <summary>Whether a retry policy wants this attempt repeated: nothing has reached the client, and it failed or answered a listed status.</summary>
    private static bool ShouldRetry(ExchangeContext context, RetryPolicy retry, UpstreamOutcome outcome)
    {
        // The gateway's own 100 (Continue) only let the client send a body; once that body is kept it can go again.
        if (context.InterimSent || (context.SentContinue && !context.KeptBody.IsKept)) return false;
        return outcome switch
        {
            UpstreamOutcome.Failed => retry.RetriesFailure(context.Error),
            UpstreamOutcome.Response => retry.RetriesStatus(context.Response.StatusCode),
            _ => false,
        };
    }

    /// <summary>
    /// The destination for an attempt: the sticky one or the balancer's for the first; for a retry the balancer's,
    /// asked again (a few times) while it names a destination already tried, unless every available one was.
    /// </summary>
    private static DestinationState? Pick(ExchangeContext context, Cluster cluster, ClusterState state, int attempt, out bool refused)
    {
        refused = false;
        var available = state.Available;
        DestinationState? picked = null;
        if (attempt == 1)
            picked = cluster.Affinity is { } affinity ? affinity.Pick(context, cluster, available, out refused) : state.Balancer.Pick(context, available);
        else
        {
            for (var draw = 0; draw < 4; draw++)
            {
                picked = state.Balancer.Pick(context, available);
                if (picked is null || Array.IndexOf(context.Tried, picked, 0, attempt - 1) < 0) break;
            }
        }
        return picked is null || picked.TryAdmit() ? picked : PickAdmitted(context, available, attempt);
    }

    /// <summary>
    /// The picked destination refused the attempt (a half-open breaker with its trial requests taken): the first
    /// other available one not tried yet that admits it, else null.
    /// </summary>
    private static DestinationState? PickAdmitted(ExchangeContext context, DestinationState[] available, int attempt)
    {
        foreach (var candidate in available)
        {
            if (Array.IndexOf(context.Tried, candidate, 0, attempt - 1) < 0 && candidate.TryAdmit()) return candidate;
        }
        return null;
    }

    /// <summary>The body did not arrive as it must before any upstream was asked: 408, 400 or 413, or nothing to a client that is gone.</summary>
    private static ValueTask<bool> RefuseBodyAsync(ExchangeContext context, RelayResult buffered)
    {
        switch (buffered)
        {
            case RelayResult.TimedOut: return RespondAsync(context, ProxyError.RequestTimeout, close: true);
            case RelayResult.Invalid: return RespondAsync(context, ProxyError.BadRequest, close: true);
            case RelayResult.TooLarge: return RespondAsync(context, ProxyError.BodyTooLarge, close: true);
            default:
                if (context.Error == ProxyError.None) context.Error = ProxyError.ClientAborted;
                return new ValueTask<bool>(false);
        }
    }

    /// <summary>Answers with the status of <paramref name="error"/> and its short text body.</summary>
    private static ValueTask<bool> RespondAsync(ExchangeContext context, ProxyError error, bool close)
    {
        context.Error = error;
        context.Local.Set(ProxyErrors.StatusOf(error));
        return WriteLocalAsync(context, close);
    }

    /// <summary>Writes <see cref="ExchangeContext.Local"/> (after the route's response policies) and flushes it.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<bool> WriteLocalAsync(ExchangeContext context, bool close)
    {
        close |= context.CloseConnection || context.ClientDraining;
        context.Status = context.Local.Status;
        context.ResponseEdits.Reset(null);
        EchoRequestId(context);
        if (context.Route is not null) RunResponsePolicies(context);
        var request = context.Request;
        context.Local.Write(context.HeadBuffer.Begin(context.ClientOutput), context.ResponseEdits.Added, request.Method == HttpMethod.Head, close,
            http10KeepAlive: request.VersionMinor == 0);
        context.HeadBuffer.End();
        var flushed = await BodyRelay.FlushAsync(context.ClientOutput, context.ClientFlushTiming).ConfigureAwait(false);
        context.Outcome = flushed == RelayResult.Done ? ExchangeOutcome.Local : ExchangeOutcome.Aborted;
        if (flushed == RelayResult.SendTimedOut) context.AbortClient();
        return !close && flushed == RelayResult.Done;
    }

    /// <summary>For a latency-aware balancer: time to the response head, or a penalty for an attempt that got none.</summary>
    private static void ObserveLatency(ExchangeContext context, DestinationState destination)
    {
        double micros;
        if (context.ResponseHeadAt != 0 && context.UpstreamConnectedAt != 0)
            micros = Stopwatch.GetElapsedTime(context.UpstreamConnectedAt, context.ResponseHeadAt).TotalMicroseconds;
        else if (Telemetry.AttemptOutcome.Of(context.Error) is > 0 and < Telemetry.AttemptOutcome.ClientAborted)
            micros = ILatencyAwareBalancer.FailureMicros;
        else return; // the client left, or the attempt never started: nothing learnt of the destination
        destination.Latency.Observe(micros, Stopwatch.GetTimestamp());
    }

    /// <summary>The edits every answer of the gateway's own gets (a cache hit too): the request ID, then the route's response policies.</summary>
    internal static void PrepareLocalEdits(ExchangeContext context)
    {
        EchoRequestId(context);
        RunResponsePolicies(context);
    }

    /// <summary>The request ID goes back to the client in place of any the upstream sent.</summary>
    private static void EchoRequestId(ExchangeContext context)
    {
        if (context.RequestIdLength > 0) context.ResponseEdits.Set(context.Snapshot.Telemetry.RequestIdHeaderBytes, context.RequestId);
    }

    private static void RunResponsePolicies(ExchangeContext context)
    {
        var policies = context.Route!.Policies.Response;
        for (var i = 0; i < policies.Length; i++) policies[i].OnResponse(context);
    }

    /// <summary>Phase 7: the outcome is settled and every observer hears of the exchange, once.</summary>
    private static void Complete(ExchangeContext context)
    {
        context.CompletedAt = Stopwatch.GetTimestamp();
        context.Route?.Cache?.OnCompleted(context);
        if (context.Outcome == ExchangeOutcome.Pending) context.Outcome = ExchangeOutcome.Aborted;
        if (context.Outcome == ExchangeOutcome.Aborted && context.Error == ProxyError.None) context.Error = ProxyError.ClientAborted;
        var observers = context.Observers;
        for (var i = 0; i < observers.Length; i++)
        {
            try
            {
                observers[i].OnExchangeCompleted(context);
            }
            catch (Exception ex)
            {
                // An observer's bug must not take the connection down with it.
                Telemetry.Logging.Log.Error($"exchange observer {observers[i].GetType().Name} failed: {ex.Message}");
            }
        }
    }
}
