using FastGate.Configuration;
using FastGate.Telemetry.Tracing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FastGate.Host.Tracing;

/// <summary>
/// Sends the spans of <see cref="GatewayActivitySource"/> to the configured exporter through the OpenTelemetry SDK
/// (a bounded queue and a background batch exporter: a full queue drops spans, the request path never waits).
/// Set up the first time a config turns tracing on (at start or on reload), so a gateway that never traces pays
/// nothing for it; the exporter, endpoint and batching then need a restart to change. The SDK's own sampler
/// records every span it is offered: the gateway's <see cref="ISampler"/> already chose before making one.
/// </summary>
internal sealed class TraceExport : IDisposable
{
    private readonly Lock _lock = new();
    private TracerProvider? _provider;
    private TracingOptions? _running;

    public void Apply(GatewaySnapshot snapshot)
    {
        var options = snapshot.Tracing;
        if (!options.Enabled) return;
        lock (_lock)
        {
            if (_running is { } running)
            {
                if (running.Exporter != options.Exporter || running.Endpoint != options.Endpoint || running.ServiceName != options.ServiceName
                    || running.ExportInterval != options.ExportInterval || running.MaxQueue != options.MaxQueue)
                    Telemetry.Logging.Log.Warn($"tracing exporter settings changed: needs a restart, still exporting to {Describe(running)}");
                return;
            }
            _provider = Build(options);
            _running = options;
        }
    }

    public static string Describe(TracingOptions options) => $"{Name(options.Exporter)} {options.Endpoint}";

    private static TracerProvider Build(TracingOptions options)
    {
        var builder = Sdk.CreateTracerProviderBuilder()
            .AddSource(GatewayActivitySource.Name)
            .SetSampler(new AlwaysOnSampler())
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceVersion: Cli.Version));
        if (options.Exporter == TraceExporterKind.Zipkin)
        {
            // OpenTelemetry marks its Zipkin exporter obsolete (2025, in favour of Zipkin's own OTLP ingestion), but it
            // is kept and still the one maintained Zipkin JSON v2 writer for .NET: it is used here, on purpose.
#pragma warning disable CS0618
            builder.AddZipkinExporter(o =>
            {
                o.Endpoint = options.Endpoint;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = Batching(options);
            });
#pragma warning restore CS0618
        }
        else
        {
            builder.AddOtlpExporter(o =>
            {
                o.Endpoint = options.Endpoint;
                o.Protocol = options.Exporter == TraceExporterKind.OtlpGrpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = Batching(options);
            });
        }
        return builder.Build();
    }

    private static BatchExportProcessorOptions<System.Diagnostics.Activity> Batching(TracingOptions options) => new()
    {
        MaxQueueSize = options.MaxQueue,
        MaxExportBatchSize = Math.Min(512, options.MaxQueue),
        ScheduledDelayMilliseconds = (int)Math.Max(1, options.ExportInterval.TotalMilliseconds),
    };

    private static string Name(TraceExporterKind kind) => kind switch
    {
        TraceExporterKind.OtlpGrpc => "otlp_grpc",
        TraceExporterKind.Zipkin => "zipkin",
        _ => "otlp_http",
    };

    /// <summary>Flushes what is queued (bounded by the SDK's export timeout) and stops the exporter.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _provider?.Dispose();
            _provider = null;
        }
    }
}
