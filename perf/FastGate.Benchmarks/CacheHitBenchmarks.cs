using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Caching;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Benchmarks;

/// <summary>
/// Phase 4 on a hit: the key of the curl GET built and hashed, the L1 lookup with its full-key compare and the
/// freshness check, then the stored 1 KB response written with its Age and the status header to a pipe and
/// flushed (a reader takes it). Target: under 1 µs and 0 B.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private static readonly byte[] RouteKey = Encoding.ASCII.GetBytes("api\n");
    private readonly RequestHead _request = new();
    private readonly CacheExchange _state = new();
    private readonly MemoryStore _store = new(256L << 20);
    private readonly HeaderBlock _added = new();
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly byte[][] _noHeaders = [];

    [GlobalSetup]
    public void Setup()
    {
        if (new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Samples.SmallGet), _request, HttpLimits.Default, out _, out _) != ParseStatus.Complete)
            throw new InvalidOperationException("the sample request does not parse");
        CacheKeyBuilder.WritePrimary(_state, RouteKey, _request, null, _noHeaders);
        var body = new byte[1024];
        _store.Put(new CacheEntry
        {
            Hash = _state.PrimaryHash,
            Key = _state.Key.ToArray(),
            Head = Samples.Ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=600\r\nDate: Fri, 04 Dec 2026 12:00:00 GMT\r\nContent-Length: 1024\r\n"),
            Body = body,
            Status = 200,
            StoredAt = Stopwatch.GetTimestamp(),
            ExpiresAt = long.MaxValue,
        });
        _added.Add("X-Cache"u8, "HIT"u8);
        if (LookupAndWrite1KB() < 1024) throw new InvalidOperationException("the lookup missed");
    }

    [Benchmark]
    public long LookupAndWrite1KB()
    {
        CacheKeyBuilder.WritePrimary(_state, RouteKey, _request, null, _noHeaders);
        var directives = RequestDirectives.Of(_request);
        var entry = _store.Get(_state.PrimaryHash, _state.Key);
        var now = Stopwatch.GetTimestamp();
        if (entry is null || !RouteCache.Serves(entry, directives, now)) return 0;
        var output = _pipe.Writer;
        CacheHitWriter.WriteHead(output, entry, _added, close: false, http10: false, now);
        output.Write(entry.Body);
        _ = output.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out var read);
        var length = read.Buffer.Length;
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }
}
