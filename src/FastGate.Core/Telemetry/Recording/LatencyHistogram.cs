using HdrHistogram;

namespace FastGate.Telemetry;

/// <summary>
/// One phase of a <see cref="LatencyRecorder"/>: its distribution in microseconds, read as a cumulative histogram
/// and an exact sum. Standing alone (<c>new LatencyHistogram()</c>) it is a one-phase recorder of its own.
/// </summary>
public sealed class LatencyHistogram
{
    public const long HighestMicros = LatencyRecorder.HighestMicros;
    public const int SignificantDigits = LatencyRecorder.SignificantDigits;

    private readonly LatencyRecorder _recorder;
    private readonly int _phase;

    public LatencyHistogram() : this(new LatencyRecorder(1), 0)
    {
    }

    internal LatencyHistogram(LatencyRecorder recorder, int phase)
    {
        _recorder = recorder;
        _phase = phase;
    }

    /// <summary>Records one value, in microseconds; negative values count as 0.</summary>
    public void Record(long micros)
    {
        using var writer = _recorder.BeginWrite();
        writer.Record(_phase, micros);
    }

    /// <summary>The sum of every value recorded, exact (the histogram's own buckets are within 1 %).</summary>
    public long SumMicros => _recorder.SumMicros(_phase);

    /// <summary>A copy of everything recorded so far (allocates; for readers off the hot path).</summary>
    public HistogramBase Collect() => _recorder.Collect(_phase);
}
