using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>The <c>outcome</c> label of upstream request counters: how the exchange's last attempt at a destination ended.</summary>
public static class AttemptOutcome
{
    public static readonly string[] Labels =
        ["response", "connect_error", "connect_timeout", "pool_exhausted", "timeout", "reset", "invalid_response", "body_error", "send_timeout", "client_aborted"];

    public static int Count => Labels.Length;

    /// <summary>The index of "client_aborted": the attempt ended because of the client, not the destination.</summary>
    public const int ClientAborted = 9;

    public static int Of(ProxyError error) => error switch
    {
        ProxyError.UpstreamConnectFailed => 1,
        ProxyError.UpstreamConnectTimeout => 2,
        ProxyError.PoolExhausted => 3,
        ProxyError.UpstreamTimeout => 4,
        ProxyError.UpstreamClosed => 5,
        ProxyError.UpstreamInvalidResponse => 6,
        ProxyError.UpstreamBodyFailed => 7,
        ProxyError.UpstreamSendTimeout => 8,
        ProxyError.ClientAborted or ProxyError.ClientSendTimeout => ClientAborted,
        _ => 0,
    };
}
