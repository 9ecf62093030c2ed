using System.Text.Json.Nodes;
using FastGate.Configuration;

namespace FastGate.Policies;

/// <summary>A policy block as configured, for <c>/admin/config</c>: every key of its type, null when left out.</summary>
internal static class PolicyDescription
{
    public static JsonObject Of(ConfigNode table, string[] keys)
    {
        var result = new JsonObject();
        foreach (var key in keys)
        {
            result[key] = !table.Children.TryGetValue(key, out var node) ? null
                : ConfigSchema.IsSecret(ConfigSchema.Policies, key) ? EffectiveConfig.Mask
                : Value(node);
        }
        return result;
    }

    private static JsonNode? Value(ConfigNode node) => node.Kind switch
    {
        ConfigNodeKind.Table => new JsonObject(node.Children.Select(c => new KeyValuePair<string, JsonNode?>(c.Key, Value(c.Value)))),
        ConfigNodeKind.Array => new JsonArray([.. node.Items.Select(Value)]),
        ConfigNodeKind.Integer => JsonValue.Create(node.Integer),
        ConfigNodeKind.Boolean => JsonValue.Create(node.Text == "true"),
        _ => JsonValue.Create(node.Text),
    };
}
