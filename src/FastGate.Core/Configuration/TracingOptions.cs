using FastGate.Telemetry.Tracing;

namespace FastGate.Configuration;

/// <summary>
/// The <c>[tracing]</c> section. The sampler is part of each snapshot (a reload changes it); the exporter, its
/// endpoint and batching are the process's, set up once when tracing is first on.
/// </summary>
public sealed record TracingOptions(ISampler Sampler, TraceExporterKind Exporter, Uri Endpoint, string ServiceName,
    TimeSpan ExportInterval, int MaxQueue)
{
    public static readonly TracingOptions Default = new(NeverSampler.Instance, TraceExporterKind.OtlpHttp,
        DefaultEndpoint(TraceExporterKind.OtlpHttp), "fastgate", TimeSpan.FromSeconds(5), 2048);

    /// <summary>The configured <c>ratio</c> (what the ratio samplers use; kept to be shown).</summary>
    public double Ratio { get; init; } = 0.01;

    /// <summary>The configured <c>rate</c>, traces per second (what <c>rate_limited</c> uses; kept to be shown).</summary>
    public double Rate { get; init; } = 10;

    /// <summary>False for <c>sampler = "never"</c>: nothing on the request path looks at tracing then.</summary>
    /// <remarks>A reference compare (there is one <see cref="NeverSampler"/>): read per request, where a type check costs a call.</remarks>
    public bool Enabled => !ReferenceEquals(Sampler, NeverSampler.Instance);

    public static Uri DefaultEndpoint(TraceExporterKind exporter) => exporter switch
    {
        TraceExporterKind.OtlpGrpc => new Uri("http://127.0.0.1:4317"),
        TraceExporterKind.Zipkin => new Uri("http://127.0.0.1:9411/api/v2/spans"),
        _ => new Uri("http://127.0.0.1:4318/v1/traces"),
    };
}
