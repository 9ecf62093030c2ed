using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// The body of an exchange's error-log line, after the time and level. Plain, in nginx's manner:
/// <c>upstream failed (502, reset): the upstream closed ..., cluster: api, destination: 10.0.0.5:8080, route: api,
/// attempts: 1, client: 192.0.2.7, request: "GET /x HTTP/1.1", host: "example.com", request_id: 0f3e...</c>;
/// JSON: the same as keys. A summary of held-back lines (no exchange) names the event and its destination only.
/// </summary>
internal static class ErrorEventLine
{
    public static void Plain(ref LineBuilder line, in ErrorEvent errorEvent, ExchangeContext? context, int repeated)
    {
        line.Append(ErrorEvents.PlainNames[(int)errorEvent.Event]);
        line.Append(" ("u8);
        if (errorEvent.Status > 0 && repeated == 0)
        {
            line.Append(errorEvent.Status);
            line.Append(", "u8);
        }
        line.Append(errorEvent.Kind);
        line.Append("): "u8);
        line.Append(errorEvent.Reason);
        if (context?.Route is { } route)
        {
            line.Append(", cluster: "u8);
            line.AppendText(route.Cluster.Name, LogEscape.Combined);
        }
        if (errorEvent.Destination is { } destination)
        {
            line.Append(", destination: "u8);
            line.Append(destination.Config.AuthorityBytes);
        }
        if (context is null) return;
        if (context.Route is { } routed)
        {
            line.Append(", route: "u8);
            line.AppendText(routed.Name, LogEscape.Combined);
        }
        if (context.Attempts > 0)
        {
            line.Append(", attempts: "u8);
            line.Append(context.Attempts);
        }
        line.Append(", client: "u8);
        line.AppendEscaped(context.ClientAddress, LogEscape.Combined, AccessLogBudget.Short);
        var request = context.Request;
        if (!request.RequestLine.IsEmpty)
        {
            line.Append(", request: \""u8);
            line.AppendEscaped(request.RequestLine, LogEscape.Combined, AccessLogBudget.Target);
            line.Append((byte)'"');
        }
        if (!request.Authority.IsEmpty)
        {
            line.Append(", host: \""u8);
            line.AppendEscaped(request.Authority, LogEscape.Combined, AccessLogBudget.Host);
            line.Append((byte)'"');
        }
        if (!context.RequestId.IsEmpty)
        {
            line.Append(", request_id: "u8);
            line.AppendEscaped(context.RequestId, LogEscape.Combined, AccessLogBudget.Short);
        }
    }

    /// <summary>The keys after time and level; the caller closes the object.</summary>
    public static void Json(ref LineBuilder line, in ErrorEvent errorEvent, ExchangeContext? context, int repeated)
    {
        line.Append(",\"event\":\""u8);
        line.Append(ErrorEvents.JsonNames[(int)errorEvent.Event]);
        line.Append("\",\"kind\":\""u8);
        line.Append(errorEvent.Kind);
        line.Append("\",\"reason\":\""u8);
        line.Append(errorEvent.Reason);
        line.Append((byte)'"');
        if (errorEvent.Destination is { } destination)
        {
            line.Append(",\"destination\":"u8);
            line.AppendJsonString(destination.Config.AuthorityBytes, AccessLogBudget.Short);
        }
        if (context is null)
        {
            line.Append(",\"repeated\":"u8);
            line.Append(repeated);
            return;
        }
        line.Append(",\"status\":"u8);
        line.Append(errorEvent.Status);
        if (context.Route is { } route)
        {
            line.Append(",\"cluster\":\""u8);
            line.AppendText(route.Cluster.Name, LogEscape.Json);
            line.Append("\",\"route\":\""u8);
            line.AppendText(route.Name, LogEscape.Json);
            line.Append((byte)'"');
        }
        line.Append(",\"attempts\":"u8);
        line.Append(context.Attempts);
        line.Append(",\"client\":"u8);
        line.AppendJsonString(context.ClientAddress, AccessLogBudget.Short);
        line.Append(",\"request\":"u8);
        line.AppendJsonString(context.Request.RequestLine, AccessLogBudget.Target);
        line.Append(",\"host\":"u8);
        line.AppendJsonString(context.Request.Authority, AccessLogBudget.Host);
        line.Append(",\"request_id\":"u8);
        line.AppendJsonString(context.RequestId, AccessLogBudget.Short);
    }
}
