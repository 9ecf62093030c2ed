using System.Text;
using FastGate.Telemetry.Logging;

namespace FastGate.Tests.Telemetry.Logging;

public class LogRingTests
{
    [Fact]
    public void Lines_come_out_whole_and_in_order_across_many_wraps()
    {
        var ring = new LogRing(4096);
        var read = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            // Lengths that do not divide the ring, so records keep landing at its end and skipping it.
            Assert.True(ring.TryWrite(Encoding.ASCII.GetBytes($"line {i} {new string('x', i % 97)}\n")));
            if (i % 3 == 2) Drain(ring, read);
        }
        Drain(ring, read);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"line {i} {new string('x', i % 97)}\n"), read);
        Assert.Equal(0, ring.Dropped);
        Assert.Equal(0, ring.Used);
    }

    [Fact]
    public void A_full_ring_drops_and_counts_and_takes_lines_again_once_drained()
    {
        var ring = new LogRing(4096);
        var line = Encoding.ASCII.GetBytes(new string('a', 100) + "\n");
        var accepted = 0;
        for (var i = 0; i < 100; i++) if (ring.TryWrite(line)) accepted++;
        // 112 bytes a record (4 of length, 101 of line, padded to 8): 36 of them fit in 4 KiB.
        Assert.Equal(36, accepted);
        Assert.Equal(100 - accepted, ring.Dropped);
        Assert.False(ring.TryWrite(new byte[ring.MaxLine + 1]));
        var read = new List<string>();
        Drain(ring, read);
        Assert.Equal(accepted, read.Count);
        Assert.True(ring.TryWrite(line));
    }

    [Fact]
    public async Task Concurrent_producers_lose_no_line_they_were_told_was_taken()
    {
        var ring = new LogRing(64 * 1024);
        const int producers = 4, perProducer = 50_000;
        var accepted = new int[producers];
        var done = 0;
        var seen = new List<int>[producers];
        for (var p = 0; p < producers; p++) seen[p] = [];
        var consumer = Task.Run(() =>
        {
            while (true)
            {
                var finished = Volatile.Read(ref done) == producers;
                while (ring.TryPeek(out var line))
                {
                    var text = Encoding.ASCII.GetString(line);
                    Assert.EndsWith("\n", text);
                    var parts = text.TrimEnd('\n').Split(':');
                    Assert.Equal(new string('z', int.Parse(parts[1]) % 50), parts[2]);
                    seen[int.Parse(parts[0])].Add(int.Parse(parts[1]));
                    ring.Release();
                }
                if (finished) return;
            }
        });
        Parallel.For(0, producers, p =>
        {
            for (var i = 0; i < perProducer; i++)
                if (ring.TryWrite(Encoding.ASCII.GetBytes($"{p}:{i}:{new string('z', i % 50)}\n"))) accepted[p]++;
            Interlocked.Increment(ref done);
        });
        await consumer;
        Assert.Equal(producers * perProducer, accepted.Sum() + ring.Dropped);
        for (var p = 0; p < producers; p++)
        {
            Assert.Equal(accepted[p], seen[p].Count);
            Assert.Equal(seen[p].Order(), seen[p]); // one producer's lines stay in its order
        }
    }

    private static void Drain(LogRing ring, List<string> into)
    {
        while (ring.TryPeek(out var line))
        {
            into.Add(Encoding.ASCII.GetString(line));
            ring.Release();
        }
    }
}
