using System.Diagnostics;

namespace FastGate.Caching;

/// <summary>
/// L1 in front of L2: a lookup L1 answers (fresh) never waits; an L1 miss, or an entry L1 holds past its freshness
/// (another instance may have refreshed it), asks Redis, and an L2 hit is put into L1; when L2 has nothing, the
/// stale L1 entry is still the answer (to be revalidated or served stale). A fill goes into L1 and is written to L2
/// in the background.
/// </summary>
internal sealed class TieredStore(MemoryStore l1, RedisTier l2) : ICacheStore
{
    /// <summary>Stored-at times closer than this (10 ms) are one response's, read back through L2's millisecond times.</summary>
    private static readonly long SameResponse = Stopwatch.Frequency / 100;

    public ValueTask<CacheEntry?> GetAsync(ulong hash, ReadOnlyMemory<byte> key, ulong primary)
    {
        var entry = l1.Get(hash, key.Span);
        if (entry is not null && (entry.ExpiresAt == long.MaxValue || Stopwatch.GetTimestamp() < entry.ExpiresAt)) return new(entry);
        return FromL2Async(hash, key, primary, entry);
    }

    private async ValueTask<CacheEntry?> FromL2Async(ulong hash, ReadOnlyMemory<byte> key, ulong primary, CacheEntry? stale)
    {
        var entry = await l2.GetAsync(hash, key, primary).ConfigureAwait(false);
        if (entry is null) return stale;
        // L2 holds the same stale copy (its times rounded to milliseconds), or an older one: keep what L1 has.
        if (stale is not null && entry.StoredAt - stale.StoredAt < SameResponse) return stale;
        l1.Put(entry);
        return entry;
    }

    public void Put(CacheEntry entry)
    {
        l1.Put(entry);
        // A marker goes to L2 with its variant, in one transaction.
        if (entry.VaryNames is null) l2.Write(entry);
    }

    public void Remove(CacheEntry entry) => l1.Remove(entry);
}
