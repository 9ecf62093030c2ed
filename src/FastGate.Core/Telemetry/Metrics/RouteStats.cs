using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>
/// What a route has served since the process started: requests by method and status class, and the latency of
/// each phase. Kept by name across reloads (<see cref="RouteStatsRegistry"/>).
/// </summary>
public sealed class RouteStats(string name)
{
    private readonly StripedCounters _requests = new(MethodLabel.Count * StatusClass.Count);

    public string Name { get; } = name;

    public LatencySet Latency { get; } = new();

    public long Requests(int method, int statusClass) => _requests.Read(method * StatusClass.Count + statusClass);

    internal void Record(ExchangeContext context)
    {
        _requests.Increment(MethodLabel.Of(context.Request.Method) * StatusClass.Count + StatusClass.Of(context.Status));
        Latency.Record(context);
    }
}
