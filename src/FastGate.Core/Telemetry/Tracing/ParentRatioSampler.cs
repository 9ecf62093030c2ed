namespace FastGate.Telemetry.Tracing;

/// <summary>
/// <c>sampler = "parent_ratio"</c>: a client's valid <c>traceparent</c> decides (its sampled flag); a request
/// without one starts a trace with probability <c>ratio</c>.
/// </summary>
public sealed class ParentRatioSampler(double ratio) : ISampler
{
    public const string ConfigName = "parent_ratio";

    private readonly RatioSampler _root = new(ratio);

    public bool ShouldSample(in TraceParent parent) => parent.IsValid ? parent.Sampled : _root.ShouldSample(parent);
}
