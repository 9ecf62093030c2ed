namespace FastGate.Caching;

/// <summary>What the cache did for one request (the status header's value and the metrics label).</summary>
public enum CacheOutcome : byte
{
    /// <summary>The route has no cache, or the exchange ended before the cache phase.</summary>
    None,
    Hit,
    Miss,
    /// <summary>Not looked up: a method other than GET/HEAD, a body, an upgrade, or request <c>no-store</c>.</summary>
    Bypass,
    /// <summary>A stored response past its freshness, served as the origin or the client allowed (stale-while-revalidate, stale-if-error, max-stale).</summary>
    Stale,
    /// <summary>A stored response the upstream confirmed with a 304 to the cache's conditional request.</summary>
    Revalidated,
}
