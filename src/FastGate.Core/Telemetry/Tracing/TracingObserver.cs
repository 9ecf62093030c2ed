using FastGate.Proxy;

namespace FastGate.Telemetry.Tracing;

/// <summary>Phase 7 observer that ends a sampled exchange's spans; nothing for one that is not sampled.</summary>
public sealed class TracingObserver : IExchangeObserver
{
    public void OnExchangeCompleted(ExchangeContext context) => ExchangeTracing.Complete(context);
}
