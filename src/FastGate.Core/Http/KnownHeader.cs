namespace FastGate.Http;

/// <summary>Header fields the gateway acts on. Everything else is forwarded as opaque bytes.</summary>
public enum KnownHeader : byte
{
    None = 0,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    KeepAlive,
    ProxyConnection,
    TE,
    Trailer,
    Upgrade,
    Expect,
    ProxyAuthenticate,
    ProxyAuthorization,
    XForwardedFor,
    XForwardedProto,
    XForwardedHost,
    /// <summary>W3C Trace Context.</summary>
    TraceParent,
    TraceState,
    Cookie,
}
