using FastGate.Configuration;

namespace FastGate.Policies.Cors;

/// <summary>Binds <c>[policies.NAME] type = "cors"</c>.</summary>
internal static class CorsBinder
{
    internal static readonly string[] Keys = ["type", "allow_origins", "allow_methods", "allow_headers", "expose_headers", "allow_credentials", "max_age"];

    public static CorsPolicy? Bind(ConfigReader reader, string name, string prefix, ConfigNode table)
    {
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, Keys);
        var children = table.Children;

        var origins = new List<OriginPattern>();
        var anyOrigin = false;
        ConfigNode? anyNode = null;
        if (!children.TryGetValue("allow_origins", out var node))
            reader.Error(table, $"{prefix}.allow_origins", "required key is missing (e.g. [\"https://app.example.com\", \"https://*.example.com\"])");
        else if (reader.TryStringList(node, $"{prefix}.allow_origins", out var list))
        {
            if (list.Count == 0) reader.Error(node, $"{prefix}.allow_origins", "empty list: no origin would be allowed");
            foreach (var (text, source) in list)
            {
                if (text == "*")
                {
                    anyOrigin = true;
                    anyNode = source;
                }
                else if (OriginPattern.Parse(text, out var error) is { } pattern) origins.Add(pattern);
                else reader.Error(source, $"{prefix}.allow_origins", $"invalid origin \"{text}\": {error}");
            }
        }

        var credentials = false;
        if (children.TryGetValue("allow_credentials", out node)) reader.TryBool(node, $"{prefix}.allow_credentials", out credentials);
        if (credentials && anyOrigin)
            reader.Error(anyNode!, $"{prefix}.allow_origins", "\"*\" cannot be used with allow_credentials = true (the Fetch standard forbids it); list the origins");

        var methods = Names(reader, children, prefix, "allow_methods");
        var headers = Names(reader, children, prefix, "allow_headers");
        var expose = Names(reader, children, prefix, "expose_headers");

        TimeSpan? maxAge = null;
        if (children.TryGetValue("max_age", out node) && reader.TryDuration(node, $"{prefix}.max_age", true, out var age)) maxAge = age;

        return reader.ErrorCount != before ? null
            : new CorsPolicy(name, [.. origins], anyOrigin, credentials, methods, headers, expose, maxAge) { Description = PolicyDescription.Of(table, Keys) };
    }

    private static byte[][] Names(ConfigReader reader, OrderedDictionary<string, ConfigNode> children, string prefix, string key)
    {
        if (!children.TryGetValue(key, out var node)) return [];
        if (!reader.TryStringList(node, $"{prefix}.{key}", out var list)) return [];
        var result = new List<byte[]>();
        foreach (var (text, source) in list)
        {
            if (text == "*") reader.Error(source, $"{prefix}.{key}", "\"*\" is not supported: list the names");
            else if (PolicyConfig.HeaderName(reader, source, $"{prefix}.{key}", text) is { } bytes) result.Add(bytes);
        }
        return [.. result];
    }
}
