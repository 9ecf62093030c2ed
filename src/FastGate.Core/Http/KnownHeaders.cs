namespace FastGate.Http;

/// <summary>Case-insensitive lookup of <see cref="KnownHeader"/> names, dispatching on length first.</summary>
public static class KnownHeaders
{
    public static KnownHeader Lookup(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Is(name, "te"u8) ? KnownHeader.TE : KnownHeader.None,
        4 => Is(name, "host"u8) ? KnownHeader.Host : KnownHeader.None,
        6 => Is(name, "expect"u8) ? KnownHeader.Expect : Is(name, "cookie"u8) ? KnownHeader.Cookie : KnownHeader.None,
        7 => Is(name, "upgrade"u8) ? KnownHeader.Upgrade : Is(name, "trailer"u8) ? KnownHeader.Trailer : KnownHeader.None,
        10 => Is(name, "connection"u8) ? KnownHeader.Connection : Is(name, "keep-alive"u8) ? KnownHeader.KeepAlive
            : Is(name, "tracestate"u8) ? KnownHeader.TraceState : KnownHeader.None,
        11 => Is(name, "traceparent"u8) ? KnownHeader.TraceParent : KnownHeader.None,
        14 => Is(name, "content-length"u8) ? KnownHeader.ContentLength : KnownHeader.None,
        15 => Is(name, "x-forwarded-for"u8) ? KnownHeader.XForwardedFor : KnownHeader.None,
        16 => Is(name, "proxy-connection"u8) ? KnownHeader.ProxyConnection
            : Is(name, "x-forwarded-host"u8) ? KnownHeader.XForwardedHost : KnownHeader.None,
        17 => Is(name, "transfer-encoding"u8) ? KnownHeader.TransferEncoding
            : Is(name, "x-forwarded-proto"u8) ? KnownHeader.XForwardedProto : KnownHeader.None,
        18 => Is(name, "proxy-authenticate"u8) ? KnownHeader.ProxyAuthenticate : KnownHeader.None,
        19 => Is(name, "proxy-authorization"u8) ? KnownHeader.ProxyAuthorization : KnownHeader.None,
        _ => KnownHeader.None,
    };

    /// <summary>Fields that describe one hop and are never forwarded as received (RFC 9110 §7.6.1).</summary>
    public static bool IsHopByHop(KnownHeader header) => header is KnownHeader.Connection or KnownHeader.KeepAlive
        or KnownHeader.ProxyConnection or KnownHeader.TE or KnownHeader.Trailer or KnownHeader.TransferEncoding
        or KnownHeader.Upgrade or KnownHeader.ProxyAuthenticate or KnownHeader.ProxyAuthorization;

    /// <summary>ASCII case-insensitive equality against a lower-case literal.</summary>
    public static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral)
        => System.Text.Ascii.EqualsIgnoreCase(value, lowerLiteral);
}
