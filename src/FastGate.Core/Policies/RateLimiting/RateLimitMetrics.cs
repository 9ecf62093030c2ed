using FastGate.Configuration;
using FastGate.Telemetry;

namespace FastGate.Policies.RateLimiting;

/// <summary><c>fastgate_rate_limited_total{route,policy}</c> for the scrape.</summary>
internal static class RateLimitMetrics
{
    public static void Write(PrometheusTextWriter writer, GatewaySnapshot snapshot)
    {
        writer.Family("fastgate_rate_limited_total", "counter", "Requests answered 429 by a local rate limit, by route and policy.");
        foreach (var policy in RateLimitPolicy.All(snapshot))
            writer.Sample("fastgate_rate_limited_total", [new("route", policy.Route), new("policy", policy.Definition.Name)], policy.Rejected);
    }
}
