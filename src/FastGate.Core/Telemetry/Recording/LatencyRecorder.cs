using HdrHistogram;
using HdrHistogram.Utilities;

namespace FastGate.Telemetry;

/// <summary>
/// Latency distributions of a few phases in microseconds (HdrHistogram, 2 significant digits: every value within
/// 1 %), written per <see cref="WriterSlot"/> and merged into cumulative histograms when read. Each slot swaps an
/// active and an inactive set of interval histograms under one <see cref="WriterReaderPhaser"/>, so writing all
/// the phases of one exchange costs two uncontended atomics (entering and leaving the phaser) and plain increments
/// in a histogram only its thread writes; only the shared slot's histograms are concurrent ones. A slot is made on
/// its first value, so a route nobody calls holds none. Values beyond an hour count as an hour.
/// </summary>
public sealed class LatencyRecorder
{
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 2;

    private readonly int _phases;
    private readonly Slot?[] _slots = new Slot?[WriterSlot.Count];
    private readonly LongHistogram[] _totals;
    private readonly Lock _readLock = new();

    public LatencyRecorder(int phases)
    {
        _phases = phases;
        _totals = new LongHistogram[phases];
        for (var i = 0; i < phases; i++) _totals[i] = new LongHistogram(HighestMicros, SignificantDigits);
    }

    /// <summary>Opens a write of one exchange's values; dispose it (a <c>using</c>) when they are recorded.</summary>
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

    /// <summary>A copy of everything <paramref name="phase"/> recorded so far (allocates; for readers off the hot path).</summary>
    public HistogramBase Collect(int phase)
    {
        lock (_readLock)
        {
            foreach (var slot in _slots)
                if (slot is not null) slot.DrainInto(_totals);
            return _totals[phase].Copy();
        }
    }

    private Slot CreateSlot(int index)
    {
        var slot = new Slot(_phases, shared: index == WriterSlot.Shared);
        return Interlocked.CompareExchange(ref _slots[index], slot, null) ?? slot;
    }

    /// <summary>One exchange's write into the calling thread's slot, inside the slot's phaser.</summary>
    public ref struct Writer
    {
        private readonly Slot _slot;
        private readonly long _epoch;
        private readonly HistogramBase[] _active;

        internal Writer(Slot slot)
        {
            _slot = slot;
            _epoch = slot.Phaser.WriterCriticalSectionEnter();
            _active = slot.Active;
        }

        public readonly void Record(int phase, long micros)
        {
            micros = Math.Clamp(micros, 0, HighestMicros);
            _active[phase].RecordValue(micros);
            if (_slot.IsShared) Interlocked.Add(ref _slot.Sums[phase], micros);
            else Volatile.Write(ref _slot.Sums[phase], _slot.Sums[phase] + micros);
        }

        public readonly void Dispose() => _slot.Phaser.WriterCriticalSectionExit(_epoch);
    }

    internal sealed class Slot
    {
        private readonly HistogramBase[] _first, _second;
        private volatile HistogramBase[] _active;

        public Slot(int phases, bool shared)
        {
            IsShared = shared;
            Sums = new long[phases];
            _first = NewSet(phases, shared);
            _second = NewSet(phases, shared);
            _active = _first;
        }

        public WriterReaderPhaser Phaser { get; } = new();
        public bool IsShared { get; }
        public long[] Sums { get; }
        public HistogramBase[] Active => _active;

        /// <summary>Swaps the sets, waits for writers still in the old one, and adds it into the totals (reader lock held by the caller).</summary>
        public void DrainInto(LongHistogram[] totals)
        {
            Phaser.ReaderLock();
            try
            {
                var old = _active;
                _active = old == _first ? _second : _first;
                Phaser.FlipPhase();
                for (var i = 0; i < old.Length; i++)
                {
                    totals[i].Add(old[i]);
                    old[i].Reset();
                }
            }
            finally
            {
                Phaser.ReaderUnlock();
            }
        }

        private static HistogramBase[] NewSet(int phases, bool shared)
        {
            var set = new HistogramBase[phases];
            for (var i = 0; i < phases; i++)
                set[i] = shared ? new IntConcurrentHistogram(1, HighestMicros, SignificantDigits) : new IntHistogram(1, HighestMicros, SignificantDigits);
            return set;
        }
    }
}
