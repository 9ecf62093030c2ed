namespace FastGate.Caching;

/// <summary>
/// Which entry goes when the store is over its byte budget. Called under the store's lock, except
/// <see cref="OnHit"/>, which runs on the request path and must not block.
/// </summary>
internal interface IEvictionPolicy
{
    void OnHit(CacheEntry entry);
    void OnInsert(CacheEntry entry);
    /// <summary>The entry was removed (replaced, expired or evicted by <see cref="Evict"/>).</summary>
    void OnRemove(CacheEntry entry);
    /// <summary>The next victim, or null when nothing is left; the store then removes it.</summary>
    CacheEntry? Evict();
    /// <summary>The store's byte budget changed (a policy may size its queues by it).</summary>
    void Resize(long budget);
}
