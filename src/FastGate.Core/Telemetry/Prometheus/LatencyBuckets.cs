using HdrHistogram;

namespace FastGate.Telemetry;

/// <summary>Turns a latency histogram (microseconds) into the cumulative buckets of a Prometheus histogram (seconds).</summary>
internal static class LatencyBuckets
{
    /// <summary>Upper bounds in seconds: 0.5 ms to 60 s, about three per decade.</summary>
    public static readonly double[] Seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>For each bound, how many recorded values were at most that long (within the histogram's 1 %).</summary>
    public static long[] Cumulative(HistogramBase histogram)
    {
        var counts = new long[Seconds.Length];
        foreach (var value in histogram.RecordedValues())
        {
            // A bucket of the HDR histogram counts under the lowest value it stands for (its values are within 1 % of it).
            var micros = histogram.LowestEquivalentValue(value.ValueIteratedTo);
            for (var i = Seconds.Length - 1; i >= 0 && micros <= Seconds[i] * 1_000_000; i--) counts[i] += value.CountAddedInThisIterationStep;
        }
        return counts;
    }
}
