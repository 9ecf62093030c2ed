using HdrHistogram;

namespace FastGate.Telemetry;

/// <summary>
/// Latency distributions of a few phases in microseconds, in HdrHistogram's bucket layout (2 significant digits:
/// every value within 1 %), counted per <see cref="WriterSlot"/> and merged into an HdrHistogram when read. A slot
/// holds cumulative counts that only its thread writes, so recording a value is an index computed from its
/// leading zeros and a plain increment: no atomics, no phaser, no virtual call. Only the shared slot (threads
/// beyond the exclusive slots) is written with atomics. A reader sums the slots' counts as they are: every count
/// only grows, so a read never goes backwards, and one exchange's phases may show in a read one by one. A slot is
/// made on its first value, so a route nobody calls holds none. Values beyond an hour count as an hour.
/// </summary>
public sealed class LatencyRecorder
{
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 2;

    private readonly int _phases;
    private readonly Slot?[] _slots = new Slot?[WriterSlot.Count];

    public LatencyRecorder(int phases) => _phases = phases;

    /// <summary>Opens a write of one exchange's values (dispose it with a <c>using</c>: kept for the shape of the calls).</summary>
    public Writer BeginWrite() => BeginWrite(WriterSlot.Current);

    /// <summary>A write into slot <paramref name="index"/>, which must be the calling thread's alone unless it is the shared one.</summary>
    internal Writer BeginWrite(int index) => new(_slots[index] ?? CreateSlot(index));

    /// <summary>The exact sum of every value of <paramref name="phase"/> (the buckets themselves are within 1 %).</summary>
    public long SumMicros(int phase)
    {
        long sum = 0;
        foreach (var slot in _slots)
            if (slot is not null) sum += Volatile.Read(ref slot.Sums[phase]);
        return sum;
    }

    /// <summary>A histogram of everything <paramref name="phase"/> recorded so far (allocates; for readers off the hot path).</summary>
    public HistogramBase Collect(int phase)
    {
        var histogram = new LongHistogram(HighestMicros, SignificantDigits);
        var from = phase * HdrLayout.Length;
        for (var i = 0; i < HdrLayout.Length; i++)
        {
            long count = 0;
            foreach (var slot in _slots)
                if (slot is not null) count += Volatile.Read(ref slot.Counts[from + i]);
            if (count > 0) histogram.RecordValueWithCount(HdrLayout.ValueAt(i), count);
        }
        return histogram;
    }

    private Slot CreateSlot(int index)
    {
        var slot = new Slot(_phases, shared: index == WriterSlot.Shared);
        return Interlocked.CompareExchange(ref _slots[index], slot, null) ?? slot;
    }

    /// <summary>One exchange's write into the calling thread's slot.</summary>
    public readonly ref struct Writer
    {
        private readonly Slot _slot;

        internal Writer(Slot slot) => _slot = slot;

        public void Record(int phase, long micros)
        {
            micros = Math.Clamp(micros, 0, HighestMicros);
            var slot = _slot;
            ref var count = ref slot.Counts[phase * HdrLayout.Length + HdrLayout.IndexOf(micros)];
            if (slot.IsShared)
            {
                Interlocked.Increment(ref count);
                Interlocked.Add(ref slot.Sums[phase], micros);
            }
            else
            {
                // One writer: a plain increment; 64-bit stores are whole, so a reader sees the old or the new count.
                count++;
                Volatile.Write(ref slot.Sums[phase], slot.Sums[phase] + micros);
            }
        }

        public void Dispose()
        {
        }
    }

    internal sealed class Slot(int phases, bool shared)
    {
        public bool IsShared { get; } = shared;
        public long[] Sums { get; } = new long[phases];
        /// <summary>Each phase's counts, one <see cref="HdrLayout.Length"/> after another.</summary>
        public long[] Counts { get; } = new long[phases * HdrLayout.Length];
    }
}
