using System.Diagnostics;
using System.Text;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Telemetry.Tracing;

/// <summary>
/// Starts and ends an exchange's spans explicitly from its context (never through <see cref="Activity.Current"/>:
/// execution-context flow is suppressed on the proxy path). A span is made only once the sampler said yes, so an
/// exchange that is not sampled allocates nothing here; a sampled one pays for its Activity objects and tags.
/// </summary>
internal static class ExchangeTracing
{
    /// <summary>
    /// Phase 1: reads the client's <c>traceparent</c> and asks the sampler. A sampled exchange gets its server span
    /// (child of the client's span when there is a valid one) and its <c>traceparent</c> is replaced upstream by the
    /// attempt's; a trace restarted here drops the client's <c>tracestate</c>. Not sampled: the headers pass as sent.
    /// </summary>
    public static void Begin(ExchangeContext context, ISampler sampler, bool headParsed)
    {
        var head = context.Request;
        var parent = default(TraceParent);
        if (headParsed)
        {
            int found = -1, count = 0;
            for (var i = 0; i < head.FieldCount; i++)
            {
                if (head.Field(i).Known != KnownHeader.TraceParent) continue;
                found = i;
                count++;
            }
            // Two traceparent fields are as good as none (Trace Context §3.2: a vendor must not pick one).
            if (count == 1) TraceParent.TryParse(head.Value(found), out parent);
        }
        if (!sampler.ShouldSample(parent)) return;

        if (headParsed) DropIncoming(head, dropTraceState: !parent.IsValid);
        // A root span takes Activity.Current as its parent when there is one: there must be none.
        if (Activity.Current is not null) Activity.Current = null;
        var remote = parent.IsValid
            ? new ActivityContext(parent.TraceId, parent.SpanId, ActivityTraceFlags.Recorded, TraceStateOf(head), isRemote: true)
            : default;
        var span = GatewayActivitySource.Instance.CreateActivity("HTTP", ActivityKind.Server, remote);
        if (span is null) return; // no exporter is listening (tracing was off when the process started)
        span.SetStartTime(UtcAt(context.StartedAt));
        span.Start();
        context.Trace.Server = span;
    }

    /// <summary>Phase 5: one client span per upstream attempt, and the <c>traceparent</c> the upstream gets.</summary>
    public static void BeginAttempt(ExchangeContext context, DestinationState destination)
    {
        var trace = context.Trace;
        if (trace.Server is not { } server) return;
        if (trace.Attempt is not null) EndAttempt(context, responded: false);
        var attempt = GatewayActivitySource.Instance.CreateActivity(MethodName(context.Request), ActivityKind.Client, server.Context);
        if (attempt is null) return;
        attempt.Start();
        switch (destination.Config.EndPoint)
        {
            case System.Net.IPEndPoint ip:
                attempt.SetTag("server.address", ip.Address.ToString());
                attempt.SetTag("server.port", ip.Port);
                break;
            case System.Net.DnsEndPoint dns:
                attempt.SetTag("server.address", dns.Host);
                attempt.SetTag("server.port", dns.Port);
                break;
        }
        attempt.SetTag("fastgate.destination", destination.Config.Address);
        attempt.SetTag("fastgate.cluster", context.Route?.Cluster.Name);
        attempt.SetTag("fastgate.attempt", context.Attempts);
        trace.Attempt = attempt;
        TraceParent.Format(attempt.TraceId, attempt.SpanId, trace.ForwardedParentBuffer);
    }

    /// <summary>Ends the current attempt's span: with the upstream's status when it answered, else the error.</summary>
    public static void EndAttempt(ExchangeContext context, bool responded)
    {
        var trace = context.Trace;
        if (trace.Attempt is not { } attempt) return;
        trace.Attempt = null;
        if (responded)
        {
            var status = context.Response.StatusCode;
            attempt.SetTag("http.response.status_code", status);
            if (status >= 500) attempt.SetStatus(ActivityStatusCode.Error);
        }
        else
        {
            attempt.SetTag("error.type", context.Error == ProxyError.None ? "stale_connection" : AttemptOutcome.Labels[AttemptOutcome.Of(context.Error)]);
            attempt.SetStatus(ActivityStatusCode.Error);
        }
        attempt.Stop();
    }

    /// <summary>Phase 7: the server span gets what the exchange came to and is ended (and exported, in the background).</summary>
    public static void Complete(ExchangeContext context)
    {
        var trace = context.Trace;
        if (trace.Server is not { } span) return;
        if (trace.Attempt is not null) EndAttempt(context, responded: context.ResponseHeadAt != 0);
        trace.Server = null;
        var request = context.Request;
        var method = MethodName(request);
        var route = context.Route;
        span.DisplayName = route is null ? method : method + " " + route.Path;
        span.SetTag("http.request.method", method);
        span.SetTag("url.path", Encoding.Latin1.GetString(request.Path));
        if (!request.Query.IsEmpty) span.SetTag("url.query", Encoding.Latin1.GetString(request.Query[1..]));
        span.SetTag("server.address", Encoding.Latin1.GetString(request.Authority));
        span.SetTag("network.protocol.version", request.VersionMinor == 0 ? "1.0" : "1.1");
        span.SetTag("client.address", Encoding.ASCII.GetString(context.Client.AddressBytes));
        if (route is not null)
        {
            span.SetTag("http.route", route.Path);
            span.SetTag("fastgate.route", route.Name);
        }
        if (context.Destination is { } destination) span.SetTag("fastgate.destination", destination.Config.Address);
        if (context.Status != 0) span.SetTag("http.response.status_code", context.Status);
        if (context.RequestIdLength > 0) span.SetTag("fastgate.request_id", Encoding.ASCII.GetString(context.RequestId));
        span.SetTag("fastgate.outcome", OutcomeName(context.Outcome));
        if (context.Error != ProxyError.None) span.SetTag("error.type", ErrorName(context.Error));
        if (context.Status >= 500 || context.Outcome == ExchangeOutcome.Aborted) span.SetStatus(ActivityStatusCode.Error);
        span.SetEndTime(UtcAt(context.CompletedAt));
        span.Stop();
    }

    private static void DropIncoming(RequestHead head, bool dropTraceState)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            ref var field = ref head.Field(i);
            if (field.Known == KnownHeader.TraceParent || (dropTraceState && field.Known == KnownHeader.TraceState)) field.Drop = true;
        }
    }

    /// <summary>The client's tracestate fields joined (RFC 9110 list semantics), or null.</summary>
    private static string? TraceStateOf(RequestHead head)
    {
        string? state = null;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.Field(i).Known != KnownHeader.TraceState) continue;
            var value = Encoding.ASCII.GetString(HttpChars.TrimOws(head.Value(i)));
            state = state is null ? value : state + "," + value;
        }
        return state;
    }

    private static string MethodName(RequestHead request)
    {
        var index = MethodLabel.Of(request.Method);
        return index != 0 ? MethodLabel.Labels[index] : Encoding.ASCII.GetString(request.MethodBytes);
    }

    private static string OutcomeName(ExchangeOutcome outcome) => outcome switch
    {
        ExchangeOutcome.Proxied => "proxied",
        ExchangeOutcome.Local => "local",
        ExchangeOutcome.Tunnelled => "tunnelled",
        _ => "aborted",
    };

    private static string ErrorName(ProxyError error)
    {
        var upstream = AttemptOutcome.Of(error);
        return upstream != 0 ? AttemptOutcome.Labels[upstream] : error.ToString();
    }

    private static DateTime UtcAt(long timestamp) => DateTime.UtcNow - Stopwatch.GetElapsedTime(timestamp);
}
