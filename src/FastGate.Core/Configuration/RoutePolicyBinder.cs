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
        foreach (var (name, source) in names)
        {
            if (!seen.Add(name)) reader.Error(source, key, $"policy \"{name}\" is listed twice");
            else if (policies.TryGetValue(name, out var definition)) definitions.Add(definition);
            else if (!declared.Contains(name)) reader.Error(source, key, $"unknown policy \"{name}\"{ConfigSchema.Suggest(name, declared)}");
        }
        return RoutePolicies.Compile(route, definitions);
    }
}
