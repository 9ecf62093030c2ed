namespace FastGate.Telemetry.Tracing;

/// <summary><c>sampler = "always"</c>: every exchange.</summary>
public sealed class AlwaysSampler : ISampler
{
    public const string ConfigName = "always";

    public bool ShouldSample(in TraceParent parent) => true;
}
