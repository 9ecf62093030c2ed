namespace FastGate.Telemetry.Tracing;

/// <summary><c>sampler = "never"</c> (the default): no spans; a client's trace headers pass through untouched.</summary>
public sealed class NeverSampler : ISampler
{
    public const string ConfigName = "never";

    public static readonly NeverSampler Instance = new();

    private NeverSampler()
    {
    }

    public bool ShouldSample(in TraceParent parent) => false;
}
