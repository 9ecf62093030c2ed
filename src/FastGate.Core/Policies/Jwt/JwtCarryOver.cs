using FastGate.Configuration;

namespace FastGate.Policies.Jwt;

/// <summary>
/// Runtime state across a reload: a jwt policy with a jwks URL whose block is unchanged keeps its key source (no
/// refetch, no wait on the first request after the reload) and its validation cache.
/// </summary>
internal static class JwtCarryOver
{
    public static void Apply(GatewaySnapshot current, GatewaySnapshot next)
    {
        foreach (var definition in next.Policies.Values)
        {
            if (definition is JwtDefinition jwt && current.Policies.TryGetValue(jwt.Name, out var old) && old is JwtDefinition previous)
                jwt.TryAdopt(previous);
        }
    }
}
