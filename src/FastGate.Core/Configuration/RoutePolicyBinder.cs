using FastGate.Policies;

namespace FastGate.Configuration;

/// <summary>Binds a route's <c>policies = ["a", "b"]</c> against the <c>[policies]</c> blocks and compiles them, in list order.</summary>
internal static class RoutePolicyBinder
{
    public static RoutePolicies Bind(ConfigReader reader, ConfigNode node, string key, string route,
        IReadOnlyCollection<string> declared, IReadOnlyDictionary<string, IPolicyDefinition> policies)
    {
        if (!reader.TryStringList(node, key, out var names)) return RoutePolicies.None;
        var definitions = new List<IPolicyDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var jwt = false;
        foreach (var (name, source) in names)
        {
            if (!seen.Add(name)) reader.Error(source, key, $"policy \"{name}\" is listed twice");
            else if (policies.TryGetValue(name, out var definition))
            {
                // Claims exist only once a jwt policy has validated the token: a limit keyed by one must come after it.
                if (definition is Policies.RateLimiting.RateLimitDefinition { KeysByClaim: true } && !jwt)
                    reader.Error(source, key, $"policy \"{name}\" is keyed by a JWT claim: list a jwt policy before it");
                jwt |= definition is Policies.Jwt.JwtDefinition;
                definitions.Add(definition);
            }
            else if (!declared.Contains(name)) reader.Error(source, key, $"unknown policy \"{name}\"{ConfigSchema.Suggest(name, declared)}");
        }
        return RoutePolicies.Compile(route, definitions);
    }
}
