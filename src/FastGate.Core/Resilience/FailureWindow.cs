using System.Diagnostics;

namespace FastGate.Resilience;

/// <summary>
/// Attempts and failures over a sliding window, for the circuit breaker: a ring of <see cref="Buckets"/> buckets of
/// window/10 each, so the window slides in tenths. Each bucket is one 64-bit word (its epoch, requests and
/// failures) changed by one compare-and-swap, so a bucket that a new period reuses is emptied and counted into in
/// the same step, with no lock. Timestamps are <see cref="Stopwatch"/> ticks.
/// </summary>
public sealed class FailureWindow
{
    public const int Buckets = 10;
    private const int CountBits = 21;
    private const long CountMask = (1L << CountBits) - 1;
    private const int EpochShift = 2 * CountBits;
    private const long EpochMask = (1L << (64 - EpochShift)) - 1;

    private readonly long[] _buckets = new long[Buckets];
    private readonly long _bucketTicks;

    public FailureWindow(TimeSpan window)
    {
        _bucketTicks = Math.Max(1, (long)(window.TotalSeconds * Stopwatch.Frequency / Buckets));
    }

    /// <summary>Counts one attempt (a failure when <paramref name="failed"/>); a bucket holds at most 2^21 - 1 of each.</summary>
    public void Record(long timestamp, bool failed)
    {
        var period = timestamp / _bucketTicks;
        var epoch = period & EpochMask;
        ref var bucket = ref _buckets[(int)(period % Buckets)];
        long seen, next;
        do
        {
            seen = Volatile.Read(ref bucket);
            if (seen >>> EpochShift != epoch) next = Pack(epoch, 1, failed ? 1 : 0);
            else
            {
                var requests = (seen >> CountBits) & CountMask;
                if (requests == CountMask) return;
                next = Pack(epoch, requests + 1, (seen & CountMask) + (failed ? 1 : 0));
            }
        } while (Interlocked.CompareExchange(ref bucket, next, seen) != seen);
    }

    /// <summary>The attempts and failures of the buckets within the window that ends at <paramref name="timestamp"/>.</summary>
    public void Read(long timestamp, out int requests, out int failures)
    {
        var epoch = (timestamp / _bucketTicks) & EpochMask;
        long total = 0, failed = 0;
        for (var i = 0; i < Buckets; i++)
        {
            var bucket = Volatile.Read(ref _buckets[i]);
            if (((epoch - (bucket >>> EpochShift)) & EpochMask) >= Buckets) continue;
            total += (bucket >> CountBits) & CountMask;
            failed += bucket & CountMask;
        }
        requests = (int)Math.Min(int.MaxValue, total);
        failures = (int)Math.Min(int.MaxValue, failed);
    }

    /// <summary>Empties every bucket (when the breaker closes, so the failures that opened it are forgotten).</summary>
    public void Clear()
    {
        for (var i = 0; i < Buckets; i++)
        {
            long seen;
            do seen = Volatile.Read(ref _buckets[i]);
            while (Interlocked.CompareExchange(ref _buckets[i], seen & ~((CountMask << CountBits) | CountMask), seen) != seen);
        }
    }

    private static long Pack(long epoch, long requests, long failures) => (epoch << EpochShift) | (requests << CountBits) | failures;
}
