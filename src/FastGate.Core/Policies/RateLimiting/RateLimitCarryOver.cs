using FastGate.Configuration;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// Runtime state across a reload: a rate limit whose name and rule are unchanged keeps its buckets (a client
/// mid-burst stays limited), and each route's rejection counter is kept by route and policy name.
/// </summary>
internal static class RateLimitCarryOver
{
    public static void Apply(GatewaySnapshot current, GatewaySnapshot next)
    {
        foreach (var definition in next.Policies.Values)
        {
            if (definition is RateLimitDefinition limit && current.Policies.TryGetValue(limit.Name, out var old)
                && old is RateLimitDefinition previous && previous.Rule == limit.Rule)
                limit.Buckets = previous.Buckets;
        }
        var counters = new Dictionary<(string, string), Telemetry.StripedCounters>();
        foreach (var policy in RateLimitPolicy.All(current)) counters[(policy.Route, policy.Definition.Name)] = policy.Rejections;
        foreach (var policy in RateLimitPolicy.All(next))
        {
            if (counters.TryGetValue((policy.Route, policy.Definition.Name), out var kept)) policy.Rejections = kept;
        }
    }
}
