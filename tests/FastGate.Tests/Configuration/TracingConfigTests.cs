using FastGate.Configuration;
using FastGate.Telemetry.Tracing;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class TracingConfigTests
{
    private static TracingOptions Tracing(string keys) => Valid(MinimalCluster + "\n[tracing]\n" + keys).Tracing;

    [Fact]
    public void Tracing_is_off_by_default_with_otlp_http_to_localhost()
    {
        var tracing = Valid(MinimalCluster).Tracing;
        Assert.False(tracing.Enabled);
        Assert.IsType<NeverSampler>(tracing.Sampler);
        Assert.Equal((TraceExporterKind.OtlpHttp, "http://127.0.0.1:4318/v1/traces", "fastgate"),
            (tracing.Exporter, tracing.Endpoint.ToString(), tracing.ServiceName));
    }

    [Fact]
    public void Each_sampler_is_named_as_in_config()
    {
        Assert.IsType<AlwaysSampler>(Tracing("sampler = \"always\"\n").Sampler);
        Assert.Equal(0.25, Assert.IsType<RatioSampler>(Tracing("sampler = \"ratio\"\nratio = 0.25\n").Sampler).Ratio);
        Assert.IsType<ParentRatioSampler>(Tracing("sampler = \"parent_ratio\"\nratio = 1\n").Sampler);
        Assert.Equal(5, Assert.IsType<RateLimitedSampler>(Tracing("sampler = \"rate_limited\"\nrate = 5\n").Sampler).PerSecond);
        Assert.True(Tracing("sampler = \"always\"\n").Enabled);
    }

    [Fact]
    public void The_exporter_picks_its_default_endpoint_unless_one_is_given()
    {
        Assert.Equal("http://127.0.0.1:9411/api/v2/spans", Tracing("exporter = \"zipkin\"\n").Endpoint.ToString());
        Assert.Equal("http://127.0.0.1:4317/", Tracing("exporter = \"otlp_grpc\"\n").Endpoint.ToString());
        var custom = Tracing("exporter = \"otlp_http\"\nendpoint = \"http://collector:4318/v1/traces\"\nservice_name = \"edge\"\nexport_interval = \"200ms\"\nmax_queue = 100\n");
        Assert.Equal(("http://collector:4318/v1/traces", "edge", TimeSpan.FromMilliseconds(200), 100),
            (custom.Endpoint.ToString(), custom.ServiceName, custom.ExportInterval, custom.MaxQueue));
    }

    [Theory]
    [InlineData("sampler = \"sometimes\"\n", "tracing.sampler", "unknown sampler \"sometimes\"")]
    [InlineData("sampler = \"ratios\"\n", "tracing.sampler", "did you mean \"ratio\"")]
    [InlineData("ratio = 1.5\n", "tracing.ratio", "out of range")]
    [InlineData("ratio = \"half\"\n", "tracing.ratio", "a number")]
    [InlineData("rate = -1\n", "tracing.rate", "out of range")]
    [InlineData("exporter = \"jaeger\"\n", "tracing.exporter", "unknown exporter \"jaeger\"")]
    [InlineData("endpoint = \"collector:4318\"\n", "tracing.endpoint", "bad URL")]
    [InlineData("service_name = \"\"\n", "tracing.service_name", "cannot be empty")]
    [InlineData("export_interval = \"0s\"\n", "tracing.export_interval", "")]
    [InlineData("samplr = \"always\"\n", "tracing", "unknown key \"samplr\"")]
    public void Bad_values_name_file_line_and_key(string keys, string key, string message)
    {
        var error = SingleError(MinimalCluster + "\n[tracing]\n" + keys);
        Assert.StartsWith(key, error.Key);
        Assert.Equal(4, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_ratio_comes_from_the_environment() =>
        Assert.Equal(0.5, Assert.IsType<RatioSampler>(Valid(MinimalCluster + "\n[tracing]\nsampler = \"ratio\"\n",
            new() { ["FASTGATE_TRACING__RATIO"] = "0.5" }).Tracing.Sampler).Ratio);
}
