using FastGate.Http;

namespace FastGate.Caching;

/// <summary>
/// Whether a shared cache may store a response (RFC 9111 §3, §3.5) and for how long it stays fresh (§4.2),
/// with the route's default and maximum TTL. Responses marked no-cache are not stored yet: without revalidation
/// (a later change) they could never be served.
/// </summary>
internal static class StoragePolicy
{
    /// <summary>The statuses heuristically cacheable (RFC 9110 §15.1); others need explicit freshness.</summary>
    public static bool IsHeuristic(int status) => status is 200 or 203 or 204 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>The freshness lifetime in seconds when the response may be stored, else -1.</summary>
    public static long Lifetime(in ResponseDirectives d, int status, bool requestHadAuthorization, RouteCacheOptions options)
    {
        if (status is < 200 or 206 or 304) return -1;
        if (d.NoStore || d.Private || d.NoCache || d.VaryAll) return -1;
        if (requestHadAuthorization && !(d.Public || d.SMaxAge >= 0 || d.MustRevalidate)) return -1;
        if (d.SetsCookie && !options.StoreSetCookie) return -1;
        var lifetime = d.ExplicitLifetime;
        if (lifetime < 0) lifetime = IsHeuristic(status) || d.Public ? (long)options.DefaultTtl.TotalSeconds : -1;
        lifetime = Math.Min(lifetime, (long)options.MaxTtl.TotalSeconds);
        return lifetime > d.Age ? lifetime : -1;
    }

    /// <summary>
    /// A body this fill can take: none, a known length within the limit, or one the client gets in the gateway's
    /// chunks (HTTP/1.1) with no coding besides chunked; its size is checked as it arrives.
    /// </summary>
    public static bool FitsBody(ResponseHead response, bool clientIsHttp11, long maxObjectSize) => response.Framing switch
    {
        ResponseFraming.None => true,
        ResponseFraming.ContentLength => response.ContentLength <= maxObjectSize,
        _ => clientIsHttp11 && !response.HasOtherTransferCodings,
    };
}
