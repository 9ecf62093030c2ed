using FastGate.Caching;
using FastGate.Configuration;
using FastGate.Telemetry;

namespace FastGate.Policies.RateLimiting;

/// <summary>Gives each shared limit of a config being applied its Redis side, on the cache runtime's connection.</summary>
internal static class SharedLimits
{
    /// <summary>Fallback counts are carried from <paramref name="current"/> by policy name.</summary>
    public static void Bind(GatewaySnapshot? current, GatewaySnapshot next, CacheRuntime cache)
    {
        foreach (var definition in next.Policies.Values)
        {
            if (definition is not RateLimitDefinition { Rule.Shared: true } limit) continue;
            var fallbacks = current is not null && current.Policies.TryGetValue(limit.Name, out var old) && old is RateLimitDefinition { Shared: { } previous }
                ? previous.Fallbacks
                : new StripedCounters(1);
            limit.Shared = new SharedLimiter(limit, cache, next.Cache, fallbacks);
        }
    }

    public static IEnumerable<RateLimitDefinition> All(GatewaySnapshot snapshot)
    {
        foreach (var definition in snapshot.Policies.Values)
        {
            if (definition is RateLimitDefinition { Shared: not null } limit) yield return limit;
        }
    }
}
