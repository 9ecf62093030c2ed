using FastGate.Caching;
using FastGate.Routing;

namespace FastGate.Telemetry;

/// <summary>The <c>/metrics</c> families of the response cache: decisions per cached route, and what L1 holds.</summary>
internal static class CacheMetrics
{
    public static void Write(PrometheusTextWriter writer, IReadOnlyList<Route> routes, CacheRuntime cache)
    {
        writer.Family("fastgate_cache_requests_total", "counter", "Requests a route's cache decided on, by outcome: hit, miss, or bypass (not cacheable: method, body, no-store).");
        foreach (var route in routes)
        {
            if (route.Cache is null || route.Stats is not { } stats) continue;
            for (var outcome = 0; outcome < CacheOutcomes.Count; outcome++)
                writer.Sample("fastgate_cache_requests_total", [new("route", route.Name), new("outcome", CacheOutcomes.Labels[outcome])], stats.CacheRequests(outcome));
        }
        var store = cache.Store;
        writer.Family("fastgate_cache_bytes", "gauge", "Bytes the in-process cache (L1) holds, against its cache.memory budget.");
        writer.Sample("fastgate_cache_bytes", [], store.Bytes);
        writer.Family("fastgate_cache_budget_bytes", "gauge", "The in-process cache's byte budget (cache.memory).");
        writer.Sample("fastgate_cache_budget_bytes", [], store.Budget);
        writer.Family("fastgate_cache_entries", "gauge", "Entries in the in-process cache (Vary markers included).");
        writer.Sample("fastgate_cache_entries", [], store.Entries);
        writer.Family("fastgate_cache_evictions_total", "counter", "Entries evicted to keep the in-process cache within its budget.");
        writer.Sample("fastgate_cache_evictions_total", [], store.Evictions);
        if (cache.L2 is not { } l2) return;
        writer.Family("fastgate_cache_l2_requests_total", "counter", "L1 misses looked up in Redis (L2), by result: hit, miss, error (an error or redis_timeout), skipped (not connected, or the L2 breaker open).");
        foreach (var result in (ReadOnlySpan<L2Result>)[L2Result.Hit, L2Result.Miss, L2Result.Error, L2Result.Skipped])
            writer.Sample("fastgate_cache_l2_requests_total", [new("result", L2Results.Label(result))], l2.Reads(result));
        writer.Family("fastgate_cache_l2_errors_total", "counter", "L2 reads, writes and purge deletions that failed or timed out.");
        writer.Sample("fastgate_cache_l2_errors_total", [], l2.Errors);
        writer.Family("fastgate_cache_l2_writes_total", "counter", "Fills written to Redis.");
        writer.Sample("fastgate_cache_l2_writes_total", [], l2.Writes);
        writer.Family("fastgate_cache_l2_connected", "gauge", "1 while the Redis connection is up.");
        writer.Sample("fastgate_cache_l2_connected", [], l2.Connected ? 1 : 0);
        writer.Family("fastgate_cache_l2_breaker_open", "gauge", "1 while the L2 breaker is open or half-open (Redis is skipped).");
        writer.Sample("fastgate_cache_l2_breaker_open", [], l2.Breaker == "closed" ? 0 : 1);
    }
}
