namespace FastGate.Proxy;

/// <summary>Why the gateway answered a request itself, or could not answer it; <see cref="ProxyErrors"/> maps each to a status.</summary>
public enum ProxyError : byte
{
    None,
    /// <summary>Malformed head or body framing, or a client that closed inside a head.</summary>
    BadRequest,
    NoRoute,
    MethodNotAllowed,
    /// <summary>The request head (or a body read) did not complete in time.</summary>
    RequestTimeout,
    BodyTooLarge,
    UriTooLong,
    HeadersTooLarge,
    /// <summary>A transfer coding other than chunked.</summary>
    NotImplemented,
    VersionNotSupported,
    /// <summary>The cluster has no destination to send to.</summary>
    NoDestination,
    /// <summary>The cluster's bulkhead was full (its queue too, or the wait in it timed out).</summary>
    Overloaded,
    /// <summary>The destination's connection limit stayed reached for the connect timeout.</summary>
    PoolExhausted,
    UpstreamConnectFailed,
    UpstreamConnectTimeout,
    /// <summary>No response head within the response timeout.</summary>
    UpstreamTimeout,
    /// <summary>The upstream closed or reset before a complete response head.</summary>
    UpstreamClosed,
    /// <summary>The upstream's response head (or its framing for this client) is invalid.</summary>
    UpstreamInvalidResponse,
    /// <summary>The upstream failed after the response head was sent: the client connection is closed.</summary>
    UpstreamBodyFailed,
    /// <summary>The client went away; nothing can be answered.</summary>
    ClientAborted,
    /// <summary>The client did not take response bytes within the send timeout; its connection was aborted.</summary>
    ClientSendTimeout,
    /// <summary>The upstream did not take request body bytes within the send timeout.</summary>
    UpstreamSendTimeout,
    /// <summary>Every destination of the cluster has its circuit breaker open (or half-open with its trials taken).</summary>
    BreakerOpen,
}
