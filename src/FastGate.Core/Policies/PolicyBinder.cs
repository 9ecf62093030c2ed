using FastGate.Configuration;
using FastGate.Policies.Cors;
using FastGate.Policies.Jwt;
using FastGate.Policies.RateLimiting;
using FastGate.Policies.Transforms;

namespace FastGate.Policies;

/// <summary>Binds one <c>[policies.NAME]</c> table by its <c>type</c>; every problem is an error naming file, line and key.</summary>
internal static class PolicyBinder
{
    public const string Section = "policies";

    private static readonly string[] Types = [CorsPolicy.TypeName, TransformPolicy.TypeName, RateLimitDefinition.TypeName, JwtDefinition.TypeName];

    /// <summary>Every key any policy type accepts (for environment overrides).</summary>
    public static readonly string[] AllKeys = [.. new[] { "type" }.Concat(CorsBinder.Keys).Concat(TransformBinder.Keys).Concat(RateLimitBinder.Keys).Concat(JwtBinder.Keys).Distinct()];

    /// <summary>The keys of one type (for <c>/admin/config</c> and its test).</summary>
    public static string[] KeysOf(string type) => type switch
    {
        CorsPolicy.TypeName => CorsBinder.Keys,
        TransformPolicy.TypeName => TransformBinder.Keys,
        RateLimitDefinition.TypeName => RateLimitBinder.Keys,
        JwtDefinition.TypeName => JwtBinder.Keys,
        _ => [],
    };

    public static IPolicyDefinition? Bind(ConfigReader reader, string name, ConfigNode table)
    {
        var prefix = $"{Section}.{name}";
        if (!IsName(name))
        {
            reader.Error(table, prefix, $"invalid policy name \"{name}\" (letters, digits, '_' and '-')");
            return null;
        }
        if (!table.Children.TryGetValue("type", out var typeNode))
        {
            reader.Error(table, $"{prefix}.type", $"required key is missing (one of {string.Join(", ", Types)})");
            return null;
        }
        if (!reader.TryString(typeNode, $"{prefix}.type", out var type)) return null;
        switch (type)
        {
            case CorsPolicy.TypeName: return CorsBinder.Bind(reader, name, prefix, table);
            case TransformPolicy.TypeName: return TransformBinder.Bind(reader, name, prefix, table);
            case RateLimitDefinition.TypeName: return RateLimitBinder.Bind(reader, name, prefix, table);
            case JwtDefinition.TypeName: return JwtBinder.Bind(reader, name, prefix, table);
        }
        reader.Error(typeNode, $"{prefix}.type", $"unknown policy type \"{type}\"{ConfigSchema.Suggest(type, Types)} (expected {string.Join(", ", Types)})");
        return null;
    }

    /// <summary>A bare TOML key: safe as a metric label and inside a structured-field string.</summary>
    private static bool IsName(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-')) return false;
        }
        return true;
    }
}
