using FastGate.Telemetry;

namespace FastGate.Tests.Telemetry;

public class LatencyHistogramTests
{
    /// <summary>1..100 000 µs, each once: the p-th percentile is p % of 100 000.</summary>
    internal static LatencyHistogram OneToHundredThousand()
    {
        var latency = new LatencyHistogram();
        for (var micros = 1; micros <= 100_000; micros++) latency.Record(micros);
        return latency;
    }

    [Fact]
    public void Percentiles_of_a_known_distribution_are_within_the_histograms_precision()
    {
        var latency = OneToHundredThousand();
        var histogram = latency.Collect();
        Assert.Equal(100_000, histogram.TotalCount);
        foreach (var percentile in new[] { 50.0, 90, 99, 99.9, 99.99 })
        {
            var expected = percentile / 100 * 100_000;
            var actual = histogram.GetValueAtPercentile(percentile);
            Assert.InRange(actual, expected * 0.99, expected * 1.01);
        }
        Assert.Equal(100_000L * 100_001 / 2, latency.SumMicros);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_value_and_reads_accumulate()
    {
        var latency = new LatencyHistogram();
        const int threads = 8, each = 50_000;
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < each; i++) latency.Record(t * 1000 + i % 1000);
        })));
        Assert.Equal(threads * each, latency.Collect().TotalCount);
        latency.Record(5);
        Assert.Equal(threads * each + 1, latency.Collect().TotalCount);
    }

    [Fact]
    public void Writers_on_slots_of_their_own_and_on_the_shared_one_lose_nothing_while_a_reader_collects()
    {
        var recorder = new LatencyRecorder(2);
        const int each = 200_000;
        var slots = new[] { 0, 1, WriterSlot.Shared, WriterSlot.Shared };
        var done = 0;
        using var go = new ManualResetEventSlim();
        var writers = slots.Select(slot => new Thread(() =>
        {
            go.Wait();
            for (var i = 0; i < each; i++)
            {
                using var writer = recorder.BeginWrite(slot);
                writer.Record(0, i % 1000);
                writer.Record(1, 7);
            }
            Interlocked.Increment(ref done);
        })).ToList();
        writers.ForEach(w => w.Start());
        long seen = 0;
        do
        {
            var count = recorder.Collect(0).TotalCount;
            Assert.True(count >= seen, "a read went backwards");
            seen = count;
            go.Set(); // the writers start once the reader is running
        }
        while (Volatile.Read(ref done) < writers.Count);
        writers.ForEach(w => w.Join());
        Assert.Equal(slots.Length * each, recorder.Collect(0).TotalCount);
        Assert.Equal(slots.Length * each, recorder.Collect(1).TotalCount);
        Assert.Equal(slots.Length * 7L * each, recorder.SumMicros(1));
        Assert.Equal(slots.Length * (each / 1000) * (999L * 1000 / 2), recorder.SumMicros(0));
    }

    [Fact]
    public void Values_out_of_range_are_clamped_not_thrown()
    {
        var latency = new LatencyHistogram();
        latency.Record(-5);
        latency.Record(long.MaxValue);
        var histogram = latency.Collect();
        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(0, histogram.GetValueAtPercentile(0));
        Assert.InRange(histogram.GetValueAtPercentile(100), LatencyHistogram.HighestMicros * 0.99, LatencyHistogram.HighestMicros * 1.01);
    }

    [Fact]
    public void Prometheus_buckets_are_cumulative_and_put_each_value_under_its_bound()
    {
        var latency = new LatencyHistogram();
        latency.Record(400);       // ≤ 0.5 ms
        latency.Record(900);       // ≤ 1 ms
        latency.Record(2_000);     // ≤ 2.5 ms
        latency.Record(2_000_000); // ≤ 2.5 s
        var buckets = LatencyBuckets.Cumulative(latency.Collect());
        Assert.Equal(LatencyBuckets.Seconds.Length, buckets.Length);
        Assert.Equal(1, buckets[Array.IndexOf(LatencyBuckets.Seconds, 0.0005)]);
        Assert.Equal(2, buckets[Array.IndexOf(LatencyBuckets.Seconds, 0.001)]);
        Assert.Equal(3, buckets[Array.IndexOf(LatencyBuckets.Seconds, 0.0025)]);
        Assert.Equal(3, buckets[Array.IndexOf(LatencyBuckets.Seconds, 1.0)]);
        Assert.Equal(4, buckets[Array.IndexOf(LatencyBuckets.Seconds, 2.5)]);
        Assert.Equal(4, buckets[^1]);
    }
}
