using System.Collections.Concurrent;
using System.Diagnostics;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// The buckets of one rate limit, one per key, looked up without a lock or an allocation (a new key allocates
/// its bucket and key copy once). Bounded: at <see cref="MaxPartitions"/> keys, buckets that are idle (back at
/// their starting state, so dropping them changes no answer) are evicted, at most once a second; if the map is
/// still full, new keys share one overflow bucket until room comes back, so a flood of new keys cannot grow
/// memory and is itself limited. Idle buckets are also swept every 10 s. Runtime state: a reload that keeps the
/// rule keeps the map.
/// </summary>
internal sealed class PartitionMap
{
    public const int MaxPartitions = 100_000;

    private static readonly long SweepEvery = Stopwatch.Frequency * 10;
    private static readonly long SweepWhenFullEvery = Stopwatch.Frequency;

    private readonly ConcurrentDictionary<byte[], RateLimitBucket> _buckets = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], RateLimitBucket>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly Func<RateLimitBucket> _create;
    private readonly int _max;
    private readonly RateLimitBucket _overflow;
    private long _nextSweep;
    private int _count;

    public PartitionMap(Func<RateLimitBucket> create, int max = MaxPartitions)
    {
        _create = create;
        _max = max;
        _overflow = create();
        _lookup = _buckets.GetAlternateLookup<ReadOnlySpan<byte>>();
        _nextSweep = Stopwatch.GetTimestamp() + SweepEvery;
    }

    /// <summary>Keys with a bucket of their own now.</summary>
    public int Count => Volatile.Read(ref _count);

    public RateLimitBucket Get(ReadOnlySpan<byte> key, long now) =>
        _lookup.TryGetValue(key, out var bucket) ? bucket : Add(key, now);

    private RateLimitBucket Add(ReadOnlySpan<byte> key, long now)
    {
        var next = Volatile.Read(ref _nextSweep);
        if (now >= next && Interlocked.CompareExchange(ref _nextSweep, now + SweepEvery, next) == next) Sweep(now);
        if (Volatile.Read(ref _count) >= _max)
        {
            next = Volatile.Read(ref _nextSweep);
            if (now >= next - SweepEvery + SweepWhenFullEvery && Interlocked.CompareExchange(ref _nextSweep, now + SweepEvery, next) == next) Sweep(now);
            if (Volatile.Read(ref _count) >= _max) return _overflow;
        }
        var created = _create();
        if (_lookup.TryAdd(key, created))
        {
            Interlocked.Increment(ref _count);
            return created;
        }
        return _lookup.TryGetValue(key, out var raced) ? raced : created;
    }

    private void Sweep(long now)
    {
        foreach (var entry in _buckets)
        {
            if (entry.Value.IsIdle(now) && _buckets.TryRemove(entry)) Interlocked.Decrement(ref _count);
        }
    }
}
