namespace FastGate.Telemetry.Tracing;

/// <summary>
/// <c>sampler = "ratio"</c>: a fraction of exchanges, whatever the client's flag says. With a parent the choice
/// follows from its trace ID (as OpenTelemetry's TraceIdRatioBased), so every hop with the same ratio agrees.
/// </summary>
public sealed class RatioSampler(double ratio) : ISampler
{
    public const string ConfigName = "ratio";

    private readonly ulong _bound = ratio >= 1 ? ulong.MaxValue : (ulong)(ratio * ulong.MaxValue);

    public double Ratio { get; } = ratio;

    public bool ShouldSample(in TraceParent parent)
    {
        if (Ratio <= 0) return false;
        if (!parent.IsValid) return Random.Shared.NextDouble() < Ratio;
        return parent.TraceIdLow < _bound || Ratio >= 1;
    }
}
