using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FastGate.Caching;

namespace FastGate.Benchmarks;

/// <summary>
/// The L2 round trip against a real redis-server on loopback (started by the setup on a free port): a 1 KB object
/// read from Redis and decoded into an entry (what an L1 miss that Redis answers costs before the write), against
/// the same object from L1. Allocates by design (the value, the entry's arrays, the task): category "known-allocation".
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.KnownAllocation)]
public class CacheL2Benchmarks
{
    private static readonly byte[] Key = "api\nexample.com\n/item\n"u8.ToArray();
    private const ulong Hash = 0x1234_5678_9abc_def0;
    private readonly MemoryStore _l1 = new(64L << 20);
    private Process? _redis;
    private RedisTier _l2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        })!;
        _l2 = new RedisTier(CacheOptions.Default with { Redis = $"127.0.0.1:{port}", Namespace = "bench", RedisTimeout = TimeSpan.FromSeconds(1) }, _ => { });
        var deadline = Stopwatch.StartNew();
        while (!_l2.Connected)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException("redis-server did not come up");
            Thread.Sleep(20);
        }
        var entry = new CacheEntry
        {
            Hash = Hash,
            Key = Key,
            Head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=600\r\nContent-Length: 1024\r\n"u8.ToArray(),
            Body = new byte[1024],
            Status = 200,
            StoredAt = Stopwatch.GetTimestamp(),
            ExpiresAt = Stopwatch.GetTimestamp() + 600 * Stopwatch.Frequency,
        };
        _l1.Put(entry);
        _l2.Write(entry);
        while (_l2.Writes == 0)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException("the write did not land");
            Thread.Sleep(5);
        }
        if (L2Hit1KB().GetAwaiter().GetResult() != 1024) throw new InvalidOperationException("the L2 read missed");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _l2.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _redis?.Kill();
        _redis?.WaitForExit();
    }

    [Benchmark(Baseline = true)]
    public int L1Hit1KB() => _l1.Get(Hash, Key)?.Body.Length ?? 0;

    [Benchmark]
    public async Task<int> L2Hit1KB() => (await _l2.GetAsync(Hash, Key, Hash).ConfigureAwait(false))?.Body.Length ?? 0;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
