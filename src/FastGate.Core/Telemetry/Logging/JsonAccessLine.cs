using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>One exchange as a JSON object on one line (<c>access_log.format = "json"</c>); absent values are <c>null</c>.</summary>
internal static class JsonAccessLine
{
    public static void Format(ExchangeContext context, DateTime now, ref LineBuilder line)
    {
        var request = context.Request;
        ExchangeFields.SplitRequestLine(request, out var method, out var target, out var protocol);
        line.Append("{\"time\":\""u8);
        line.AppendRfc3339(now);
        line.Append("\",\"client\":"u8);
        line.AppendJsonString(context.ClientAddress, AccessLogBudget.Short);
        line.Append(",\"method\":"u8);
        line.AppendJsonString(method, AccessLogBudget.Short);
        line.Append(",\"target\":"u8);
        line.AppendJsonString(target, AccessLogBudget.Target);
        line.Append(",\"protocol\":"u8);
        line.AppendJsonString(protocol, AccessLogBudget.Short);
        line.Append(",\"host\":"u8);
        line.AppendJsonString(request.Authority, AccessLogBudget.Host);
        line.Append(",\"status\":"u8);
        line.Append(context.Status);
        line.Append(",\"response_bytes\":"u8);
        line.Append(context.ResponseBodyBytes);
        line.Append(",\"request_bytes\":"u8);
        line.Append(context.RequestBodyBytes);
        line.Append(",\"duration_ms\":"u8);
        line.AppendMilliseconds(ExchangeTimes.Micros(context.StartedAt, context.CompletedAt));
        line.Append(",\"connect_ms\":"u8);
        Milliseconds(ref line, context.RoutedAt, context.UpstreamConnectedAt);
        line.Append(",\"first_byte_ms\":"u8);
        Milliseconds(ref line, context.UpstreamConnectedAt == 0 ? 0 : context.StartedAt, context.ResponseHeadAt);
        line.Append(",\"upstream_ms\":"u8);
        Milliseconds(ref line, context.UpstreamConnectedAt, context.UpstreamConnectedAt == 0 ? 0 : context.CompletedAt);
        line.Append(",\"route\":"u8);
        if (context.Route is { } route) Quoted(ref line, route.Name);
        else line.Append("null"u8);
        line.Append(",\"destination\":"u8);
        line.AppendJsonString(context.Destination is { } destination ? destination.Config.AuthorityBytes : default, AccessLogBudget.Short);
        line.Append(",\"attempts\":"u8);
        line.Append(context.Attempts);
        line.Append(",\"outcome\":\""u8);
        line.Append(LogLabels.Of(context.Outcome));
        line.Append("\",\"error\":"u8);
        line.AppendJsonString(LogLabels.Of(context.Error), AccessLogBudget.Short);
        line.Append(",\"user_agent\":"u8);
        line.AppendJsonString(ExchangeFields.UserAgent(request), AccessLogBudget.UserAgent);
        line.Append(",\"referer\":"u8);
        line.AppendJsonString(ExchangeFields.Referer(request), AccessLogBudget.Referer);
        line.Append(",\"request_id\":"u8);
        line.AppendJsonString(context.RequestId, AccessLogBudget.Short);
        line.Append("}\n"u8);
    }

    /// <summary>The time between two phase timestamps, or null when the later phase was not reached.</summary>
    private static void Milliseconds(ref LineBuilder line, long from, long to)
    {
        if (from == 0 || to == 0) line.Append("null"u8);
        else line.AppendMilliseconds(ExchangeTimes.Micros(from, to));
    }

    private static void Quoted(ref LineBuilder line, string text)
    {
        line.Append((byte)'"');
        line.AppendText(text, LogEscape.Json);
        line.Append((byte)'"');
    }
}
