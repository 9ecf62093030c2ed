using FastGate.Caching;
using Xunit.Abstractions;

namespace FastGate.Tests.Caching;

/// <summary>
/// Hit ratios of the two eviction policies on the real store, over synthetic traces with a fixed seed: Zipf
/// popularity, and the same with one-off scans mixed in. Deterministic, so it asserts the ranking it measures.
/// </summary>
public class EvictionComparisonTests(ITestOutputHelper output)
{
    private const int Objects = 20_000;
    private const int Requests = 300_000;

    [Fact]
    public void S3FifoHoldsUpAtLeastAsWellAsLruAndBetterUnderScans()
    {
        output.WriteLine("| trace | cache size | lru | s3fifo |");
        output.WriteLine("|---|---|---|---|");
        foreach (var (name, trace) in new[] { ("zipf 0.9", Zipf(0.9, scans: false)), ("zipf 0.9 + scans", Zipf(0.9, scans: true)), ("zipf 0.7 + scans", Zipf(0.7, scans: true)) })
        {
            foreach (var fraction in new[] { 0.01, 0.1 })
            {
                var entries = (int)(Objects * fraction);
                var lru = HitRatio(LruEviction.ConfigName, trace, entries);
                var s3 = HitRatio(S3FifoEviction.ConfigName, trace, entries);
                output.WriteLine($"| {name} | {fraction:P0} | {lru:P1} | {s3:P1} |");
                Assert.True(s3 >= lru - 0.01, $"{name} at {fraction:P0}: s3fifo {s3:P1} vs lru {lru:P1}");
                if (name.Contains("scans")) Assert.True(s3 > lru, $"{name} at {fraction:P0}: s3fifo {s3:P1} vs lru {lru:P1}");
            }
        }
    }

    private static double HitRatio(string eviction, ulong[] trace, int entries)
    {
        var store = new MemoryStore(MemoryStoreTests.Entry(0).Size * (long)entries, eviction);
        var hits = 0;
        foreach (var key in trace)
        {
            var entry = MemoryStoreTests.Entry(key);
            if (store.Get(key, entry.Key) is not null) hits++;
            else store.Put(entry);
        }
        return (double)hits / trace.Length;
    }

    /// <summary>Zipf(<paramref name="alpha"/>) over <see cref="Objects"/> keys; with scans, every 10,000 requests a run of 5,000 keys never seen again.</summary>
    private static ulong[] Zipf(double alpha, bool scans)
    {
        var random = new Random(42);
        var cdf = new double[Objects];
        double sum = 0;
        for (var i = 0; i < Objects; i++) cdf[i] = sum += 1 / Math.Pow(i + 1, alpha);
        for (var i = 0; i < Objects; i++) cdf[i] /= sum;
        var trace = new List<ulong>(Requests * 2);
        ulong scanKey = 1UL << 40;
        for (var i = 0; i < Requests; i++)
        {
            var rank = Array.BinarySearch(cdf, random.NextDouble());
            trace.Add((ulong)(rank < 0 ? ~rank : rank) + 1);
            if (scans && i % 10_000 == 9_999)
            {
                for (var s = 0; s < 5_000; s++) trace.Add(scanKey++);
            }
        }
        return [.. trace];
    }
}
