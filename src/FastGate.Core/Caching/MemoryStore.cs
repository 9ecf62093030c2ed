using System.Collections.Concurrent;

namespace FastGate.Caching;

/// <summary>
/// L1: entries in a concurrent dictionary (lock-free reads), bounded by a byte budget over what they hold. A put
/// takes the lock, replaces what had the hash and evicts by the policy until the budget holds again.
/// </summary>
public sealed class MemoryStore : ICacheStore
{
    private readonly ConcurrentDictionary<ulong, CacheEntry> _entries = new();
    private readonly Lock _lock = new();
    private readonly IEvictionPolicy _policy;
    private long _bytes;
    private long _budget;
    private long _evictions;

    public MemoryStore(long budget, string eviction = S3FifoEviction.ConfigName)
    {
        _budget = budget;
        Eviction = eviction;
        _policy = eviction == LruEviction.ConfigName ? new LruEviction() : new S3FifoEviction(budget);
    }

    /// <summary>The eviction policy's config name.</summary>
    public string Eviction { get; }
    public long Budget => Volatile.Read(ref _budget);
    /// <summary>Bytes held by stored entries (their heads, bodies, keys and a fixed overhead each).</summary>
    public long Bytes => Volatile.Read(ref _bytes);
    public int Entries => _entries.Count;
    public long Evictions => Volatile.Read(ref _evictions);

    public ValueTask<CacheEntry?> GetAsync(ulong hash, ReadOnlyMemory<byte> key, ulong primary) => new(Get(hash, key.Span));

    public CacheEntry? Get(ulong hash, ReadOnlySpan<byte> key)
    {
        if (!_entries.TryGetValue(hash, out var entry) || !key.SequenceEqual(entry.Key)) return null;
        _policy.OnHit(entry);
        return entry;
    }

    public void Put(CacheEntry entry)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.Hash, out var old)) RemoveLocked(old);
            if (entry.Size > _budget) return;
            _entries[entry.Hash] = entry;
            _bytes += entry.Size;
            _policy.OnInsert(entry);
            EvictLocked();
        }
    }

    public void Remove(CacheEntry entry)
    {
        lock (_lock) RemoveLocked(entry);
    }

    /// <summary>Removes every entry <paramref name="filter"/> matches (a purge: a walk over all entries, off the request path); returns how many.</summary>
    public int Purge(PurgeFilter filter)
    {
        var removed = 0;
        foreach (var (_, entry) in _entries)
        {
            if (!filter.Matches(entry.Key, entry.Tags)) continue;
            lock (_lock)
            {
                if (entry.Removed) continue;
                RemoveLocked(entry);
            }
            removed++;
        }
        return removed;
    }

    /// <summary>A new budget (a reload changed <c>cache.memory</c>): entries are evicted until it holds.</summary>
    public void Resize(long budget)
    {
        lock (_lock)
        {
            _budget = budget;
            _policy.Resize(budget);
            EvictLocked();
        }
    }

    private void EvictLocked()
    {
        while (_bytes > _budget && _policy.Evict() is { } victim)
        {
            RemoveLocked(victim);
            _evictions++;
        }
    }

    private void RemoveLocked(CacheEntry entry)
    {
        if (entry.Removed) return;
        entry.Removed = true;
        _entries.TryRemove(new KeyValuePair<ulong, CacheEntry>(entry.Hash, entry));
        _bytes -= entry.Size;
        _policy.OnRemove(entry);
    }
}
