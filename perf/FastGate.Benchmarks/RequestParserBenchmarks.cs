using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastGate.Http;

namespace FastGate.Benchmarks;

/// <summary>Step 1 of the hot path: <see cref="Http1RequestParser.TryParse"/> into a per-connection <see cref="RequestHead"/>.</summary>
[MemoryDiagnoser]
public class RequestParserBenchmarks
{
    private readonly Http1RequestParser _parser = new();
    private readonly RequestHead _head = new();
    private readonly HttpLimits _limits = HttpLimits.Default;
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    private ChunkedDecoder _decoder;

    private ReadOnlySequence<byte> _smallGet, _dotSegmentGet, _browserGet, _browserGetSplit, _chunkedPost;

    [GlobalSetup]
    public void Setup()
    {
        _smallGet = new ReadOnlySequence<byte>(Samples.SmallGet);
        _dotSegmentGet = new ReadOnlySequence<byte>(Samples.DotSegmentGet);
        _browserGet = new ReadOnlySequence<byte>(Samples.BrowserGet);
        // Cut inside the User-Agent field, as if the first read ended there.
        _browserGetSplit = Samples.TwoSegments(Samples.BrowserGet, Samples.BrowserGet.Length / 2);
        _chunkedPost = new ReadOnlySequence<byte>(Samples.ChunkedPost);

        // Fail fast on an input that does not parse: an error path is not what is being measured.
        foreach (var input in new[] { _smallGet, _dotSegmentGet, _browserGet, _browserGetSplit })
            if (Parse(input) != input.Length) throw new InvalidOperationException("sample request did not parse");
        if (Parse(_dotSegmentGet) < 0 || !_head.Path.SequenceEqual("/api/v2/~users/42%3B"u8)) throw new InvalidOperationException("sample path was not normalised");
        if (ChunkedPost() != 2560) throw new InvalidOperationException("chunked sample did not decode");
    }

    [Benchmark]
    public int SmallGet() => Parse(_smallGet);

    /// <summary>The same request with a path that takes the normalisation's slow path (into the head's own buffer).</summary>
    [Benchmark]
    public int DotSegmentGet() => Parse(_dotSegmentGet);

    [Benchmark]
    public int BrowserGet() => Parse(_browserGet);

    /// <summary>The browser GET straddling two segments: the parser linearizes it into its reused buffer first.</summary>
    [Benchmark]
    public int BrowserGetTwoSegments() => Parse(_browserGetSplit);

    /// <summary>The POST head, then its 2.5 KB chunked body re-framed into a reused writer.</summary>
    [Benchmark]
    public long ChunkedPost()
    {
        var consumed = Parse(_chunkedPost);
        _body.ResetWrittenCount();
        _decoder.Reset();
        var status = _decoder.Decode(_chunkedPost.Slice(consumed), _body, reframe: true, maxTrailerBytes: 4096, out _);
        return status == ParseStatus.Complete ? _decoder.DataBytes : -1;
    }

    private int Parse(in ReadOnlySequence<byte> input)
    {
        var status = _parser.TryParse(input, _head, _limits, out var consumed, out _);
        return status == ParseStatus.Complete ? consumed : -1;
    }
}
