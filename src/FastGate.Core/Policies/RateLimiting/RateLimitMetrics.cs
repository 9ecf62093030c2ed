using FastGate.Configuration;
using FastGate.Telemetry;

namespace FastGate.Policies.RateLimiting;

/// <summary><c>fastgate_rate_limited_total{route,policy}</c> and <c>fastgate_rate_limit_fallback_total{policy}</c> for the scrape.</summary>
internal static class RateLimitMetrics
{
    public static void Write(PrometheusTextWriter writer, GatewaySnapshot snapshot)
    {
        writer.Family("fastgate_rate_limited_total", "counter", "Requests answered 429 by a local rate limit, by route and policy.");
        foreach (var policy in RateLimitPolicy.All(snapshot))
            writer.Sample("fastgate_rate_limited_total", [new("route", policy.Route), new("policy", policy.Definition.Name)], policy.Rejected);
        writer.Family("fastgate_rate_limit_fallback_total", "counter", "Decisions of a shared rate limit taken by this instance's local limit because Redis could not answer (not connected, breaker open, error or redis_timeout).");
        foreach (var limit in SharedLimits.All(snapshot))
            writer.Sample("fastgate_rate_limit_fallback_total", [new("policy", limit.Name)], limit.Shared!.Fallbacks.ReadAll());
    }
}
