namespace FastGate.Caching;

/// <summary>
/// Least recently used: an intrusive doubly linked list, a hit moves its entry to the front. Every hit takes a
/// lock, which is why <see cref="S3FifoEviction"/> is the default (and it also holds up better against scans).
/// </summary>
internal sealed class LruEviction : IEvictionPolicy
{
    public const string ConfigName = "lru";

    private readonly Lock _lock = new();
    private CacheEntry? _head, _tail;

    public void OnHit(CacheEntry entry)
    {
        lock (_lock)
        {
            if (entry.Removed || _head == entry) return;
            Unlink(entry);
            PushFront(entry);
        }
    }

    public void OnInsert(CacheEntry entry)
    {
        lock (_lock) PushFront(entry);
    }

    public void OnRemove(CacheEntry entry)
    {
        lock (_lock) Unlink(entry);
    }

    public CacheEntry? Evict()
    {
        lock (_lock) return _tail;
    }

    public void Resize(long budget) { }

    private void PushFront(CacheEntry entry)
    {
        entry.Prev = null;
        entry.Next = _head;
        if (_head is not null) _head.Prev = entry;
        _head = entry;
        _tail ??= entry;
    }

    private void Unlink(CacheEntry entry)
    {
        if (entry.Prev is null && _head != entry) return; // not linked
        if (entry.Prev is not null) entry.Prev.Next = entry.Next;
        else _head = entry.Next;
        if (entry.Next is not null) entry.Next.Prev = entry.Prev;
        else _tail = entry.Prev;
        entry.Prev = entry.Next = null;
    }
}
