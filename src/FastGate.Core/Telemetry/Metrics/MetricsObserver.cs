using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>Phase 7 observer that counts each exchange and records its latencies, per route and per destination.</summary>
public sealed class MetricsObserver(RouteStatsRegistry routes) : IExchangeObserver
{
    public void OnExchangeCompleted(ExchangeContext context)
    {
        var route = context.Route is { } matched ? matched.Stats : routes.Unmatched;
        route?.Record(context);
        context.Destination?.Stats.Record(context);
    }
}
