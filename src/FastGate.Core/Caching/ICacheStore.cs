namespace FastGate.Caching;

/// <summary>
/// Where entries live. L1 (<see cref="MemoryStore"/>) answers synchronously; an L2 (Redis, a later change) plugs in
/// behind the same interface as a tier that completes asynchronously, so the lookup awaits only when it must.
/// </summary>
public interface ICacheStore
{
    /// <summary>The entry stored under <paramref name="hash"/> whose key is <paramref name="key"/>, or null.</summary>
    ValueTask<CacheEntry?> GetAsync(ulong hash, ReadOnlyMemory<byte> key);

    /// <summary>Stores <paramref name="entry"/>, replacing what had its hash; an entry larger than the budget is not stored.</summary>
    void Put(CacheEntry entry);

    /// <summary>Removes <paramref name="entry"/> if it is still the one stored.</summary>
    void Remove(CacheEntry entry);
}
