namespace FastGate.Caching;

/// <summary>
/// Where entries live. L1 (<see cref="MemoryStore"/>) answers synchronously; with Redis configured,
/// <see cref="TieredStore"/> asks L2 on an L1 miss, asynchronously, so the lookup awaits only when it must.
/// </summary>
public interface ICacheStore
{
    /// <summary>
    /// The entry stored under <paramref name="hash"/> whose key is <paramref name="key"/>, or null;
    /// <paramref name="primary"/> is the request's primary key hash (the same as <paramref name="hash"/> but for a Vary variant).
    /// </summary>
    ValueTask<CacheEntry?> GetAsync(ulong hash, ReadOnlyMemory<byte> key, ulong primary);

    /// <summary>Stores <paramref name="entry"/>, replacing what had its hash; an entry larger than the budget is not stored.</summary>
    void Put(CacheEntry entry);

    /// <summary>Removes <paramref name="entry"/> if it is still the one stored.</summary>
    void Remove(CacheEntry entry);
}
