namespace FastGate.Telemetry.Tracing;

/// <summary>Decides whether an exchange is traced (<c>tracing.sampler</c>); called once per exchange, on its thread.</summary>
public interface ISampler
{
    /// <param name="parent">The client's valid <c>traceparent</c>, or <c>default</c> (not <see cref="TraceParent.IsValid"/>).</param>
    bool ShouldSample(in TraceParent parent);
}
