using FastGate.Proxy;

namespace FastGate.Upstreams;

/// <summary>What one attempt tells of the destination's health, for passive monitors (outlier detection, breaker).</summary>
public enum AttemptResult : byte
{
    /// <summary>Nothing learnt of the destination: the client left, or the gateway's own limit stopped the attempt.</summary>
    NotJudged,
    /// <summary>A response head below 500.</summary>
    Success,
    /// <summary>A 5xx response head.</summary>
    ServerError,
    /// <summary>The connection could not be opened (refused, unreachable, or timed out).</summary>
    ConnectFailure,
    /// <summary>No response head, or no body bytes, within a timeout.</summary>
    Timeout,
    /// <summary>The connection closed or reset before the response was complete.</summary>
    Reset,
    /// <summary>The response head was not valid HTTP.</summary>
    InvalidResponse,
}

/// <summary>Classifies an attempt that has ended.</summary>
public static class AttemptResults
{
    public static AttemptResult Of(ProxyError error, bool responded, int status) => error switch
    {
        ProxyError.UpstreamConnectFailed or ProxyError.UpstreamConnectTimeout => AttemptResult.ConnectFailure,
        ProxyError.UpstreamTimeout or ProxyError.UpstreamSendTimeout => AttemptResult.Timeout,
        ProxyError.UpstreamClosed or ProxyError.UpstreamBodyFailed => AttemptResult.Reset,
        ProxyError.UpstreamInvalidResponse => AttemptResult.InvalidResponse,
        _ when !responded => AttemptResult.NotJudged,
        _ => status >= 500 ? AttemptResult.ServerError : AttemptResult.Success,
    };

    /// <summary>Whether the result counts against the destination.</summary>
    public static bool IsFailure(this AttemptResult result) => result >= AttemptResult.ServerError;
}
