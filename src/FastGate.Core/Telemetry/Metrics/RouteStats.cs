using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>
/// What a route has served since the process started: requests by method and status class, and the latency of
/// each phase. Kept by name across reloads (<see cref="RouteStatsRegistry"/>).
/// </summary>
public sealed class RouteStats(string name)
{
    private readonly StripedCounters _requests = new(MethodLabel.Count * StatusClass.Count);
    private readonly StripedCounters _cache = new(Caching.CacheOutcomes.Count);

    public string Name { get; } = name;

    public LatencySet Latency { get; } = new();

    public long Requests(int method, int statusClass) => _requests.Read(method * StatusClass.Count + statusClass);

    /// <summary>Every request counted, whatever its method and status.</summary>
    public long TotalRequests => _requests.ReadAll();

    /// <summary>Req/s over the last seconds, from readings of <see cref="TotalRequests"/> (<see cref="RateSampler"/>).</summary>
    public RequestRate Rate { get; } = new();

    /// <summary>Requests the route's cache decided on, by <see cref="Caching.CacheOutcomes.Labels"/> index.</summary>
    public long CacheRequests(int outcome) => _cache.Read(outcome);

    internal void RecordCache(Caching.CacheOutcome outcome) => _cache.Increment((int)outcome - 1);

    internal void Record(ExchangeContext context)
    {
        _requests.Increment(MethodLabel.Of(context.Request.Method) * StatusClass.Count + StatusClass.Of(context.Status));
        Latency.Record(context);
    }
}
