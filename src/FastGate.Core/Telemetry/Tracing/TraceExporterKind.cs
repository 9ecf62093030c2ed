namespace FastGate.Telemetry.Tracing;

/// <summary><c>tracing.exporter</c>: where sampled spans go.</summary>
public enum TraceExporterKind
{
    /// <summary><c>otlp_http</c>: OTLP, protobuf over HTTP (POST to <c>…/v1/traces</c>).</summary>
    OtlpHttp,
    /// <summary><c>otlp_grpc</c>: OTLP over gRPC (Jaeger, the OpenTelemetry Collector).</summary>
    OtlpGrpc,
    /// <summary><c>zipkin</c>: Zipkin JSON v2 (POST to <c>…/api/v2/spans</c>).</summary>
    Zipkin,
}
