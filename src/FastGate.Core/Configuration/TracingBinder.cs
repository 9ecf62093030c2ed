using FastGate.Telemetry.Tracing;

namespace FastGate.Configuration;

/// <summary>Binds <c>[tracing]</c>: the sampler with its ratio or rate, and the exporter with its endpoint and batching.</summary>
internal sealed class TracingBinder(ConfigReader reader)
{
    private const string S = ConfigSchema.Tracing;

    private static readonly string[] Samplers =
    [
        AlwaysSampler.ConfigName, NeverSampler.ConfigName, RatioSampler.ConfigName, ParentRatioSampler.ConfigName,
        RateLimitedSampler.ConfigName,
    ];

    private static readonly string[] Exporters = ["otlp_http", "otlp_grpc", "zipkin"];

    public TracingOptions Bind(ConfigNode table)
    {
        reader.CheckKeys(table, S, ConfigSchema.TracingKeys);
        var children = table.Children;
        var defaults = TracingOptions.Default;

        var ratio = defaults.Ratio;
        if (children.TryGetValue("ratio", out var node) && reader.TryNumber(node, $"{S}.ratio", 0, 1, out var r)) ratio = r;
        var rate = defaults.Rate;
        if (children.TryGetValue("rate", out node) && reader.TryNumber(node, $"{S}.rate", 0, 1_000_000, out var perSecond)) rate = perSecond;
        ISampler sampler = defaults.Sampler;
        if (children.TryGetValue("sampler", out node) && reader.TryString(node, $"{S}.sampler", out var name))
        {
            sampler = name switch
            {
                AlwaysSampler.ConfigName => new AlwaysSampler(),
                NeverSampler.ConfigName => NeverSampler.Instance,
                RatioSampler.ConfigName => new RatioSampler(ratio),
                ParentRatioSampler.ConfigName => new ParentRatioSampler(ratio),
                RateLimitedSampler.ConfigName => new RateLimitedSampler(rate),
                _ => Unknown(node, "sampler", name, Samplers, defaults.Sampler),
            };
        }

        var exporter = defaults.Exporter;
        if (children.TryGetValue("exporter", out node) && reader.TryString(node, $"{S}.exporter", out var kind))
        {
            exporter = kind switch
            {
                "otlp_http" => TraceExporterKind.OtlpHttp,
                "otlp_grpc" => TraceExporterKind.OtlpGrpc,
                "zipkin" => TraceExporterKind.Zipkin,
                _ => Unknown(node, "exporter", kind, Exporters, defaults.Exporter),
            };
        }
        var endpoint = TracingOptions.DefaultEndpoint(exporter);
        if (children.TryGetValue("endpoint", out node) && reader.TryString(node, $"{S}.endpoint", out var url))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) endpoint = uri;
            else reader.Error(node, $"{S}.endpoint", $"bad URL \"{url}\" (expected http:// or https://, e.g. \"{endpoint}\")");
        }
        var service = defaults.ServiceName;
        if (children.TryGetValue("service_name", out node) && reader.TryString(node, $"{S}.service_name", out var serviceName))
        {
            if (serviceName.Length == 0) reader.Error(node, $"{S}.service_name", "the service name cannot be empty");
            else service = serviceName;
        }
        var interval = defaults.ExportInterval;
        if (children.TryGetValue("export_interval", out node) && reader.TryDuration(node, $"{S}.export_interval", false, out var every))
            interval = every;
        var maxQueue = defaults.MaxQueue;
        if (children.TryGetValue("max_queue", out node) && reader.TryInt(node, $"{S}.max_queue", 1, 1_000_000, out var queue)) maxQueue = queue;
        return new TracingOptions(sampler, exporter, endpoint, service, interval, maxQueue) { Ratio = ratio, Rate = rate };
    }

    private T Unknown<T>(ConfigNode node, string key, string value, string[] known, T fallback)
    {
        reader.Error(node, $"{S}.{key}", $"unknown {key} \"{value}\"{ConfigSchema.Suggest(value, known)} (expected {string.Join(", ", known)})");
        return fallback;
    }
}
