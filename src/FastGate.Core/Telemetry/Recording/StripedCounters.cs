namespace FastGate.Telemetry;

/// <summary>
/// A fixed set of monotonic counters, one copy per <see cref="Stripe"/>, each stripe's copy on cache lines of its
/// own; an increment is one uncontended interlocked add, a read sums the stripes.
/// </summary>
internal sealed class StripedCounters
{
    private const int LongsPerCacheLine = 8;

    private readonly long[] _cells;
    private readonly int _stride;

    public StripedCounters(int count)
    {
        Count = count;
        // Round each stripe up to whole cache lines and keep one line before the first, so no two stripes share one.
        _stride = (count + LongsPerCacheLine - 1) / LongsPerCacheLine * LongsPerCacheLine;
        _cells = new long[LongsPerCacheLine + _stride * Stripe.Count];
    }

    public int Count { get; }

    public void Increment(int index) => Interlocked.Increment(ref _cells[LongsPerCacheLine + Stripe.Current * _stride + index]);

    public void Add(int index, long value) => Interlocked.Add(ref _cells[LongsPerCacheLine + Stripe.Current * _stride + index], value);

    /// <summary>Zeroes one counter in every stripe (increments racing with it may be lost: for windows, not totals).</summary>
    public void Reset(int index)
    {
        for (var stripe = 0; stripe < Stripe.Count; stripe++) Volatile.Write(ref _cells[LongsPerCacheLine + stripe * _stride + index], 0);
    }

    /// <summary>All counters summed.</summary>
    public long ReadAll()
    {
        long sum = 0;
        for (var index = 0; index < Count; index++) sum += Read(index);
        return sum;
    }

    public long Read(int index)
    {
        long sum = 0;
        for (var stripe = 0; stripe < Stripe.Count; stripe++)
            sum += Volatile.Read(ref _cells[LongsPerCacheLine + stripe * _stride + index]);
        return sum;
    }
}
