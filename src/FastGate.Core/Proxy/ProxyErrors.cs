namespace FastGate.Proxy;

/// <summary>The one table from <see cref="ProxyError"/> to the status the client gets (0: none can be sent).</summary>
public static class ProxyErrors
{
    public static int StatusOf(ProxyError error) => error switch
    {
        ProxyError.None => 200,
        ProxyError.BadRequest => 400,
        ProxyError.NoRoute => 404,
        ProxyError.MethodNotAllowed => 405,
        ProxyError.RequestTimeout => 408,
        ProxyError.BodyTooLarge => 413,
        ProxyError.UriTooLong => 414,
        ProxyError.HeadersTooLarge => 431,
        ProxyError.NotImplemented => 501,
        ProxyError.UpstreamConnectFailed or ProxyError.UpstreamClosed or ProxyError.UpstreamInvalidResponse => 502,
        ProxyError.NoDestination or ProxyError.PoolExhausted or ProxyError.Overloaded or ProxyError.BreakerOpen => 503,
        ProxyError.UpstreamConnectTimeout or ProxyError.UpstreamTimeout or ProxyError.UpstreamSendTimeout => 504,
        ProxyError.VersionNotSupported => 505,
        _ => 0, // ClientAborted, ClientSendTimeout, UpstreamBodyFailed: the client cannot be told
    };

    /// <summary>The error behind a status the request parser rejected a head with.</summary>
    public static ProxyError FromParserStatus(int status) => status switch
    {
        405 => ProxyError.MethodNotAllowed,
        408 => ProxyError.RequestTimeout,
        413 => ProxyError.BodyTooLarge,
        414 => ProxyError.UriTooLong,
        431 => ProxyError.HeadersTooLarge,
        501 => ProxyError.NotImplemented,
        505 => ProxyError.VersionNotSupported,
        _ => ProxyError.BadRequest,
    };
}
