using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Telemetry;
using FastGate.Telemetry.Tracing;

namespace FastGate.Benchmarks;

/// <summary>
/// What tracing and request IDs cost an exchange that is not sampled: parsing the client's traceparent and asking
/// the sampler (parent_ratio, an unsampled parent), and making a request ID. Target: 0 B.
/// </summary>
[MemoryDiagnoser]
public class TraceContextBenchmarks
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
    private readonly ParentRatioSampler _sampler = new(0.01);
    private readonly byte[] _id = new byte[RequestId.MaxLength];

    [Benchmark]
    public bool ParseAndSampleUnsampledParent() => TraceParent.TryParse(Header, out var parent) && _sampler.ShouldSample(parent);

    [Benchmark]
    public int GenerateRequestId() => RequestId.Generate(_id);
}
