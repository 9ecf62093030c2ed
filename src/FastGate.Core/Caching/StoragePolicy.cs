using FastGate.Http;

namespace FastGate.Caching;

/// <summary>
/// Whether a shared cache may store a response (RFC 9111 §3, §3.5) and for how long it stays fresh (§4.2),
/// with the route's default and maximum TTL. A response that is stale on arrival (no-cache, max-age=0, an Age past
/// its lifetime) is stored when it can still be used: revalidated with its ETag or Last-Modified, or served within a
/// stale-while-revalidate or stale-if-error window.
/// </summary>
internal static class StoragePolicy
{
    /// <summary>The statuses heuristically cacheable (RFC 9110 §15.1); others need explicit freshness.</summary>
    public static bool IsHeuristic(int status) => status is 200 or 203 or 204 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>The freshness lifetime in seconds when the response may be stored (0 or not above its Age: stored stale), else -1.</summary>
    public static long Lifetime(in ResponseDirectives d, int status, bool requestHadAuthorization, RouteCacheOptions options)
    {
        if (status is < 200 or 206 or 304) return -1;
        if (d.NoStore || d.Private || d.VaryAll) return -1;
        if (requestHadAuthorization && !(d.Public || d.SMaxAge >= 0 || d.MustRevalidate)) return -1;
        if (d.SetsCookie && !options.StoreSetCookie) return -1;
        // no-cache: stored only to be revalidated before each use (RFC 9111 §5.2.2.4).
        if (d.NoCache) return d.HasValidator ? 0 : -1;
        var lifetime = d.ExplicitLifetime;
        if (lifetime < 0) lifetime = IsHeuristic(status) || d.Public ? (long)options.DefaultTtl.TotalSeconds : -1;
        // No freshness from the origin and a zero default_ttl: nothing to store (not even to revalidate).
        if (lifetime < 0 || (lifetime == 0 && d.ExplicitLifetime < 0)) return -1;
        lifetime = Math.Min(lifetime, (long)options.MaxTtl.TotalSeconds);
        if (lifetime > d.Age) return lifetime;
        return d.HasValidator || (d.AllowsStale && lifetime + Math.Max(d.StaleWhileRevalidate, d.StaleIfError) > d.Age) ? lifetime : -1;
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
