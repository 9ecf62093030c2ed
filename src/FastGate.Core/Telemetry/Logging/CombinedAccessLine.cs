using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// One exchange in Apache/nginx's combined log format (<c>access_log.format = "combined"</c>), time in UTC:
/// <c>client - - [03/Dec/2026:10:04:05 +0000] "GET /x HTTP/1.1" 200 13 "referer" "user agent"</c>; "-" for what is absent.
/// </summary>
internal static class CombinedAccessLine
{
    public static void Format(ExchangeContext context, DateTime now, ref LineBuilder line)
    {
        var request = context.Request;
        Field(ref line, context.ClientAddress, AccessLogBudget.Short);
        line.Append(" - - ["u8);
        line.AppendCommonLogTime(now);
        line.Append("] \""u8);
        Field(ref line, request.RequestLine, AccessLogBudget.Target);
        line.Append("\" "u8);
        line.Append(context.Status);
        line.Append((byte)' ');
        line.Append(context.ResponseBodyBytes);
        line.Append(" \""u8);
        Field(ref line, ExchangeFields.Referer(request), AccessLogBudget.Referer);
        line.Append("\" \""u8);
        Field(ref line, ExchangeFields.UserAgent(request), AccessLogBudget.UserAgent);
        line.Append("\"\n"u8);
    }

    private static void Field(ref LineBuilder line, ReadOnlySpan<byte> value, int budget)
    {
        if (value.IsEmpty) line.Append((byte)'-');
        else line.AppendEscaped(value, LogEscape.Combined, budget);
    }
}
