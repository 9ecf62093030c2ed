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
/// flushed (a reader takes it). Target: under 1 µs and 0 B. <see cref="ConditionalLookupAndWrite304"/>: the same
/// GET with If-None-Match matching the stored ETag, answered 304 from the entry's head.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private static readonly byte[] RouteKey = Encoding.ASCII.GetBytes("api\n");
    private readonly RequestHead _request = new();
    private readonly RequestHead _conditional = new();
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
        var conditional = Encoding.ASCII.GetString(Samples.SmallGet).Replace("/42 ", "/43 ").Replace("\r\n\r\n", "\r\nIf-None-Match: \"v1\"\r\n\r\n");
        if (new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Samples.Ascii(conditional)), _conditional, HttpLimits.Default, out _, out _) != ParseStatus.Complete)
            throw new InvalidOperationException("the conditional request does not parse");
        const string fields = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=600\r\n";
        const string date = "Date: Fri, 04 Dec 2026 12:00:00 GMT\r\nContent-Length: 1024\r\n";
        Store(_request, fields + date);
        // The conditional GET's entry (another path) has an ETag.
        Store(_conditional, fields + "ETag: \"v1\"\r\n" + date);
        _added.Add("X-Cache"u8, "HIT"u8);
        if (LookupAndWrite1KB() < 1024) throw new InvalidOperationException("the lookup missed");
        if (ConditionalLookupAndWrite304() is 0 or >= 1024) throw new InvalidOperationException("the conditional lookup was not a 304");
    }

    [Benchmark]
    public long LookupAndWrite1KB()
    {
        var now = Stopwatch.GetTimestamp();
        if (Find(_request, now, out _) is not { } entry) return 0;
        var output = _pipe.Writer;
        CacheHitWriter.WriteHead(output, entry, _added, close: false, http10: false, now);
        output.Write(entry.Body);
        return FlushAndRead();
    }

    /// <summary>Flushes what was written and lets the reader take it: its length.</summary>
    private long FlushAndRead()
    {
        _ = _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out var read);
        var length = read.Buffer.Length;
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }

    [Benchmark]
    public long ConditionalLookupAndWrite304()
    {
        var now = Stopwatch.GetTimestamp();
        if (Find(_conditional, now, out var directives) is not { } entry || !ClientConditional.NotModified(_conditional, directives, entry)) return 0;
        CacheHitWriter.WriteNotModifiedHead(_pipe.Writer, entry, _added, close: false, http10: false, now);
        return FlushAndRead();
    }

    private void Store(RequestHead request, string head)
    {
        CacheKeyBuilder.WritePrimary(_state, RouteKey, request, null, _noHeaders);
        _store.Put(new CacheEntry
        {
            Hash = _state.PrimaryHash,
            Key = _state.Key.ToArray(),
            Head = Samples.Ascii(head),
            Body = new byte[1024],
            Status = 200,
            StoredAt = Stopwatch.GetTimestamp(),
            ExpiresAt = long.MaxValue,
        });
    }

    /// <summary>The key built and hashed, the L1 lookup with its full-key compare, and the freshness check.</summary>
    private CacheEntry? Find(RequestHead request, long now, out RequestDirectives directives)
    {
        CacheKeyBuilder.WritePrimary(_state, RouteKey, request, null, _noHeaders);
        directives = RequestDirectives.Of(request);
        var entry = _store.Get(_state.PrimaryHash, _state.Key);
        return entry is not null && RouteCache.Serves(entry, directives, now) ? entry : null;
    }
}
