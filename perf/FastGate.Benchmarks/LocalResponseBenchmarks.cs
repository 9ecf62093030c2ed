using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Benchmarks;

/// <summary>
/// The exchange's own answers and response edits: a 429 with two policy headers written as a gateway answer, and
/// an upstream head written with a response policy's edits (one field dropped, one set).
/// </summary>
[MemoryDiagnoser]
public class LocalResponseBenchmarks
{
    private readonly LocalResponse _local = new();
    private readonly ResponseHeaderEdits _edits = new();
    private readonly ResponseHead _parsed = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private int _serverField = -1;

    [GlobalSetup]
    public void Setup()
    {
        new Http1ResponseParser().TryParse(new ReadOnlySequence<byte>(Samples.ResponseHead), _parsed, HttpMethod.Get, 64 * 1024, out _);
        for (var i = 0; i < _parsed.FieldCount; i++)
            if (System.Text.Ascii.EqualsIgnoreCase(_parsed.Name(i), "server"u8)) _serverField = i;
        if (_serverField < 0) throw new InvalidOperationException("the sample response has no Server field");
    }

    [Benchmark]
    public int WriteLocalAnswer()
    {
        _output.ResetWrittenCount();
        _local.Reset();
        _local.Set(429);
        _local.Headers.Add("Retry-After"u8, "1"u8);
        _local.Headers.Add("RateLimit-Policy"u8, "\"default\";q=100;w=60"u8);
        _local.Write(_output, extra: null, headRequest: false, close: false, http10KeepAlive: false);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int WriteEditedUpstreamHead()
    {
        _output.ResetWrittenCount();
        _edits.Reset(_parsed);
        _edits.Remove("server"u8);
        _edits.Set("X-Gateway"u8, "fastgate"u8);
        ResponseHeadWriter.Write(_output, _parsed, ClientFraming.ContentLength, connection: default, upgrade: false, _edits.Added);
        _parsed.Field(_serverField).Drop = false; // undo the edit for the next run
        return _output.WrittenCount;
    }
}
