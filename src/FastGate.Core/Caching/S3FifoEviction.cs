namespace FastGate.Caching;

/// <summary>
/// S3-FIFO (Yang et al., SOSP 2023): new entries enter a small FIFO (10% of the budget); one that was hit while
/// there moves to the main FIFO when it reaches the end, the rest leave and are remembered in a ghost FIFO of
/// hashes, so an entry that comes back soon goes straight to main. Main evicts like CLOCK (a hit entry gets
/// another round, up to three). A hit only bumps a counter, with no lock and no list move; a one-off scan passes
/// through the small FIFO without pushing the working set out.
/// </summary>
internal sealed class S3FifoEviction : IEvictionPolicy
{
    public const string ConfigName = "s3fifo";
    private const byte Small = 1, Main = 2;
    private const int MaxFrequency = 3;

    private readonly Queue<CacheEntry> _small = new();
    private readonly Queue<CacheEntry> _main = new();
    // The ghost FIFO: hashes in eviction order, each with the sequence number of its latest entry in the set.
    private readonly Queue<(ulong Hash, long Sequence)> _ghost = new();
    private readonly Dictionary<ulong, long> _ghosts = [];
    private long _sequence;
    private long _smallBytes, _mainBytes, _smallTarget;
    private int _resident;

    public S3FifoEviction(long budget) => Resize(budget);

    public void Resize(long budget) => _smallTarget = budget / 10;

    public void OnHit(CacheEntry entry)
    {
        var frequency = entry.Frequency;
        if (frequency < MaxFrequency) entry.Frequency = frequency + 1;
    }

    public void OnInsert(CacheEntry entry)
    {
        _resident++;
        entry.Frequency = 0;
        if (_ghosts.Remove(entry.Hash)) Push(_main, entry, Main);
        else Push(_small, entry, Small);
    }

    public void OnRemove(CacheEntry entry)
    {
        // Lazily: the entry stays queued, marked Removed, and is skipped when it comes to the end.
        _resident--;
        if (entry.Queue == Small) _smallBytes -= entry.Size;
        else if (entry.Queue == Main) _mainBytes -= entry.Size;
        entry.Queue = 0;
    }

    public CacheEntry? Evict()
    {
        while (true)
        {
            var victim = _smallBytes >= _smallTarget || _main.Count == 0 ? EvictSmall() : EvictMain();
            if (victim is not null || (_small.Count == 0 && _main.Count == 0)) return victim;
        }
    }

    private CacheEntry? EvictSmall()
    {
        while (_small.TryDequeue(out var entry))
        {
            if (entry.Removed) continue;
            _smallBytes -= entry.Size;
            if (entry.Frequency > 0)
            {
                entry.Frequency = 0;
                Push(_main, entry, Main);
                continue;
            }
            Remember(entry.Hash);
            entry.Queue = 0;
            return entry;
        }
        return EvictMain();
    }

    private CacheEntry? EvictMain()
    {
        while (_main.TryDequeue(out var entry))
        {
            if (entry.Removed) continue;
            _mainBytes -= entry.Size;
            if (entry.Frequency > 0)
            {
                entry.Frequency--;
                Push(_main, entry, Main);
                continue;
            }
            entry.Queue = 0;
            return entry;
        }
        return null;
    }

    private void Push(Queue<CacheEntry> queue, CacheEntry entry, byte which)
    {
        entry.Queue = which;
        queue.Enqueue(entry);
        if (which == Small) _smallBytes += entry.Size;
        else _mainBytes += entry.Size;
    }

    /// <summary>The ghost FIFO holds as many hashes as there are resident entries.</summary>
    private void Remember(ulong hash)
    {
        _ghost.Enqueue((hash, ++_sequence));
        _ghosts[hash] = _sequence;
        while (_ghost.Count > Math.Max(_resident, 16) && _ghost.TryDequeue(out var old))
        {
            // A hash that came back (OnInsert) or was evicted again since has left the set or has a newer number.
            if (_ghosts.TryGetValue(old.Hash, out var sequence) && sequence == old.Sequence) _ghosts.Remove(old.Hash);
        }
    }
}
