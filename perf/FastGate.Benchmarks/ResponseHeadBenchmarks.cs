using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Benchmarks;

/// <summary>Step 7: parse an upstream's 8-field response head, and write it back to an HTTP/1.1 client.</summary>
[MemoryDiagnoser]
public class ResponseHeadBenchmarks
{
    private readonly Http1ResponseParser _parser = new();
    private readonly ResponseHead _head = new();
    private readonly ResponseHead _parsed = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private ReadOnlySequence<byte> _input;
    private ClientFraming _framing;

    [GlobalSetup]
    public void Setup()
    {
        _input = new ReadOnlySequence<byte>(Samples.ResponseHead);
        if (Parse() != Samples.ResponseHead.Length) throw new InvalidOperationException("sample response did not parse");
        // Write() gets its own parsed head so that it measures the writer alone.
        new Http1ResponseParser().TryParse(_input, _parsed, HttpMethod.Get, 64 * 1024, out _);
        _framing = ResponseHeadWriter.ChooseFraming(_parsed, clientIsHttp11: true);
    }

    [Benchmark]
    public int Parse()
    {
        var status = _parser.TryParse(_input, _head, HttpMethod.Get, 64 * 1024, out var consumed);
        return status == ParseStatus.Complete ? consumed : -1;
    }

    /// <summary>Connection: keep-alive dropped, Content-Length re-emitted.</summary>
    [Benchmark]
    public int Write()
    {
        _output.ResetWrittenCount();
        ResponseHeadWriter.Write(_output, _parsed, _framing, connection: default, upgrade: false, extra: null);
        return _output.WrittenCount;
    }
}
