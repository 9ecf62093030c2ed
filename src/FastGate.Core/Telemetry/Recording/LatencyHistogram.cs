using HdrHistogram;

namespace FastGate.Telemetry;

/// <summary>
/// A latency distribution in microseconds (HdrHistogram, 2 significant digits: every value within 1 %), recorded
/// into one interval <see cref="Recorder"/> per <see cref="Stripe"/> so writers never contend, and merged into one
/// cumulative histogram when read. A stripe's recorder is made on its first value, so a route nobody calls holds
/// none. Values beyond an hour count as an hour.
/// </summary>
public sealed class LatencyHistogram
{
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 2;

    private readonly Recorder?[] _stripes = new Recorder?[Stripe.Count];
    private readonly HistogramBase?[] _recycled = new HistogramBase?[Stripe.Count];
    private readonly Lock _readLock = new();
    private readonly LongHistogram _total = NewHistogram();
    private readonly StripedCounters _sum = new(1);

    /// <summary>Records one value, in microseconds; negative values count as 0.</summary>
    public void Record(long micros)
    {
        micros = Math.Clamp(micros, 0, HighestMicros);
        var stripe = Stripe.Current;
        var recorder = _stripes[stripe] ?? CreateRecorder(stripe);
        recorder.RecordValue(micros);
        _sum.Add(0, micros);
    }

    /// <summary>The sum of every value recorded, exact (the histogram's own buckets are within 1 %).</summary>
    public long SumMicros => _sum.Read(0);

    /// <summary>A copy of everything recorded so far (allocates; for readers off the hot path).</summary>
    public HistogramBase Collect()
    {
        lock (_readLock)
        {
            for (var stripe = 0; stripe < _stripes.Length; stripe++)
            {
                if (_stripes[stripe] is not { } recorder) continue;
                var interval = recorder.GetIntervalHistogram(_recycled[stripe]);
                _total.Add(interval);
                _recycled[stripe] = interval;
            }
            return _total.Copy();
        }
    }

    private Recorder CreateRecorder(int stripe)
    {
        var recorder = new Recorder(1, HighestMicros, SignificantDigits,
            static (id, lowest, highest, digits) => new IntConcurrentHistogram(id, lowest, highest, digits));
        return Interlocked.CompareExchange(ref _stripes[stripe], recorder, null) ?? recorder;
    }

    private static LongHistogram NewHistogram() => new(HighestMicros, SignificantDigits);
}
