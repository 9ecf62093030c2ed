using System.Text;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// Which completed exchanges the error log tells of, at which level and in which words: requests refused (info, the
/// parser's reason; nginx logs client errors at info too), upstream failures with their kind (error), no route
/// (debug), no destination and a full bulkhead (warn), and clients that left or stopped reading (info).
/// </summary>
internal static class ErrorEvents
{
    /// <summary>Rejection reasons take the first indexes, proxy errors the ones after.</summary>
    public static readonly int KindCount = RequestRejections.Count + Enum.GetValues<ProxyError>().Length;

    private static readonly byte[][] RejectionKinds = Labels<RequestRejection>();
    private static readonly byte[][] ErrorKinds = BuildErrorKinds();
    private static readonly byte[][] ErrorReasons = BuildErrorReasons();

    public static readonly byte[][] PlainNames = Encode(["request rejected", "upstream failed", "no route", "no destination", "client gone", "overloaded"]);
    public static readonly byte[][] JsonNames = Encode(["request_rejected", "upstream_failed", "no_route", "no_destination", "client_gone", "overloaded"]);

    private static readonly string[] LevelNames = ["debug", "info", "notice", "warn", "error"];
    public static readonly byte[][] Levels = Encode(LevelNames);

    public static string LevelName(ErrorLogLevel level) => LevelNames[(int)level];

    /// <summary>The event an exchange that ended with an error makes; false for one the error log does not tell of.</summary>
    public static bool TryClassify(ExchangeContext context, out ErrorEvent errorEvent)
    {
        var error = context.Error;
        var status = context.Status;
        var rejection = context.Rejection != RequestRejection.None ? context.Rejection : error switch
        {
            ProxyError.BadRequest => RequestRejection.InvalidBody,
            ProxyError.RequestTimeout => RequestRejection.BodyTimeout,
            ProxyError.BodyTooLarge => RequestRejection.BodyTooLarge,
            _ => RequestRejection.None,
        };
        if (rejection != RequestRejection.None)
        {
            errorEvent = new ErrorEvent(ErrorEventKind.RequestRejected, ErrorLogLevel.Info, RejectionKinds[(int)rejection], status,
                RequestRejections.ReasonBytes[(int)rejection], null) { KindIndex = (int)rejection };
            return true;
        }
        var (kind, level) = error switch
        {
            ProxyError.None => ((ErrorEventKind)255, ErrorLogLevel.Debug),
            ProxyError.NoRoute => (ErrorEventKind.NoRoute, ErrorLogLevel.Debug),
            ProxyError.NoDestination or ProxyError.BreakerOpen => (ErrorEventKind.NoDestination, ErrorLogLevel.Warn),
            ProxyError.Overloaded => (ErrorEventKind.Overloaded, ErrorLogLevel.Warn),
            ProxyError.ClientAborted or ProxyError.ClientSendTimeout => (ErrorEventKind.ClientGone, ErrorLogLevel.Info),
            ProxyError.PoolExhausted or ProxyError.UpstreamConnectFailed or ProxyError.UpstreamConnectTimeout or ProxyError.UpstreamTimeout
                or ProxyError.UpstreamClosed or ProxyError.UpstreamInvalidResponse or ProxyError.UpstreamBodyFailed
                or ProxyError.UpstreamSendTimeout => (ErrorEventKind.UpstreamFailed, ErrorLogLevel.Error),
            // Any other refusal (one the parser did not name, e.g. CONNECT's 405 from a policy later) is a rejection.
            _ => (ErrorEventKind.RequestRejected, ErrorLogLevel.Info),
        };
        errorEvent = new ErrorEvent(kind, level, ErrorKinds[(int)error], status, ErrorReasons[(int)error], context.Destination)
        {
            KindIndex = RequestRejections.Count + (int)error,
        };
        return error != ProxyError.None;
    }

    private static string Reason(ProxyError error) => error switch
    {
        ProxyError.NoRoute => "no route matches the host, path and method",
        ProxyError.NoDestination => "the cluster has no destination to send to",
        ProxyError.BreakerOpen => "every destination's circuit breaker is open (Retry-After: when the first goes half-open)",
        ProxyError.Overloaded => "the cluster's bulkhead is full (max_concurrent busy, max_queue waiting or queue_timeout passed)",
        ProxyError.PoolExhausted => "the destination's max_connections stayed reached for connect_timeout",
        ProxyError.UpstreamConnectFailed => "connect failed (refused or unreachable)",
        ProxyError.UpstreamConnectTimeout => "connect not complete within connect_timeout",
        ProxyError.UpstreamTimeout => "no response head within response_timeout",
        ProxyError.UpstreamClosed => "the upstream closed or reset the connection before a complete response head",
        ProxyError.UpstreamInvalidResponse => "invalid response head or framing from the upstream",
        ProxyError.UpstreamBodyFailed => "the upstream failed after the response head was sent; the client connection was closed",
        ProxyError.UpstreamSendTimeout => "the upstream took no request body bytes for send_timeout",
        ProxyError.ClientAborted => "the client closed the connection before the exchange completed",
        ProxyError.ClientSendTimeout => "the client took no response bytes for send_timeout; its connection was aborted",
        _ => LogLabels.SnakeCase(error.ToString()).Replace('_', ' '),
    };

    /// <summary>The kinds an operator greps for: refused, timeout, reset, invalid_response, ... ; other errors by their name.</summary>
    private static string Kind(ProxyError error) => error switch
    {
        ProxyError.UpstreamConnectFailed => "refused",
        ProxyError.UpstreamConnectTimeout => "connect_timeout",
        ProxyError.UpstreamTimeout => "timeout",
        ProxyError.UpstreamClosed => "reset",
        ProxyError.UpstreamInvalidResponse => "invalid_response",
        ProxyError.UpstreamBodyFailed => "body_failed",
        ProxyError.UpstreamSendTimeout => "send_timeout",
        _ => LogLabels.SnakeCase(error.ToString()),
    };

    private static byte[][] BuildErrorKinds() => Encode([.. Enum.GetValues<ProxyError>().Select(Kind)]);

    private static byte[][] BuildErrorReasons() => Encode([.. Enum.GetValues<ProxyError>().Select(Reason)]);

    private static byte[][] Labels<T>() where T : struct, Enum => Encode([.. Enum.GetValues<T>().Select(v => LogLabels.SnakeCase(v.ToString()))]);

    private static byte[][] Encode(string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
