using FastGate.Telemetry;
using HdrHistogram;

namespace FastGate.Tests.Telemetry;

/// <summary>The recorder's own bucket arithmetic is HdrHistogram's: same index order, same value per bucket.</summary>
public class HdrLayoutTests
{
    private static readonly LongHistogram Reference = new(LatencyRecorder.HighestMicros, LatencyRecorder.SignificantDigits);

    private static IEnumerable<long> Values()
    {
        for (long v = 0; v <= 5_000; v++) yield return v;
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++) yield return random.NextInt64(0, LatencyRecorder.HighestMicros + 1);
        for (var shift = 0; shift < 32; shift++)
        {
            var power = 1L << shift;
            foreach (var v in new[] { power - 1, power, power + 1 })
                if (v <= LatencyRecorder.HighestMicros) yield return v;
        }
        yield return LatencyRecorder.HighestMicros;
    }

    [Fact]
    public void Each_value_counts_at_the_lowest_value_hdrhistogram_gives_it()
    {
        foreach (var value in Values())
        {
            var index = HdrLayout.IndexOf(value);
            Assert.InRange(index, 0, HdrLayout.Length - 1);
            Assert.Equal(Reference.LowestEquivalentValue(value), HdrLayout.ValueAt(index));
        }
    }

    [Fact]
    public void Indexes_follow_the_values_one_bucket_after_another()
    {
        var previous = HdrLayout.ValueAt(0);
        for (var index = 1; index < HdrLayout.Length; index++)
        {
            var value = HdrLayout.ValueAt(index);
            Assert.True(value > previous, $"index {index}: {value} after {previous}");
            Assert.Equal(index, HdrLayout.IndexOf(value));
            previous = value;
        }
    }
}
