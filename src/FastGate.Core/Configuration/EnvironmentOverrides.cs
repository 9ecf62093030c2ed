namespace FastGate.Configuration;

/// <summary>
/// Applies <c>FASTGATE_SECTION__KEY</c> / <c>FASTGATE_CLUSTERS__NAME__KEY</c> variables to the config tree.
/// Levels are separated by "__" and matched case-insensitively; a single "_" stays part of a name.
/// Variables with the prefix but no "__" (say FASTGATE_CONFIG) are left to the host.
/// </summary>
internal static class EnvironmentOverrides
{
    public const string Prefix = "FASTGATE_";

    public static void Apply(ConfigNode root, IReadOnlyDictionary<string, string> environment, List<ConfigError> errors)
    {
        var names = new List<string>();
        foreach (var name in environment.Keys)
        {
            if (name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && name.Contains("__", StringComparison.Ordinal))
                names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names) Apply(root, name, environment[name], errors);
    }

    private static void Apply(ConfigNode root, string variable, string value, List<ConfigError> errors)
    {
        var parts = variable[Prefix.Length..].ToLowerInvariant().Split("__");
        if (Array.Exists(parts, p => p.Length == 0))
        {
            errors.Add(Error(variable, "malformed name (empty level between \"__\")"));
            return;
        }

        var section = parts[0];
        if (Array.IndexOf(ConfigSchema.Sections, section) < 0)
        {
            errors.Add(Error(variable, $"unknown section \"{section}\"{ConfigSchema.Suggest(section, ConfigSchema.Sections)}"));
            return;
        }
        var named = ConfigSchema.IsNamedSection(section);
        var expected = named ? 3 : 2;
        if (parts.Length != expected)
        {
            var shape = named ? $"FASTGATE_{section.ToUpperInvariant()}__NAME__KEY" : $"FASTGATE_{section.ToUpperInvariant()}__KEY";
            errors.Add(Error(variable, $"expected {shape}"));
            return;
        }
        var key = parts[^1];
        var keys = ConfigSchema.KeysOf(section);
        if (Array.IndexOf(keys, key) < 0)
        {
            errors.Add(Error(variable, $"unknown key \"{key}\" in [{section}]{ConfigSchema.Suggest(key, keys)}"));
            return;
        }

        var table = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var existing = table.FindIgnoreCase(parts[i]);
            if (existing is null)
            {
                var created = ConfigNode.Table(0, variable);
                table.Children[parts[i]] = created;
                table = created;
            }
            else if (existing.Value.Value.Kind == ConfigNodeKind.Table)
            {
                table = existing.Value.Value;
            }
            else
            {
                errors.Add(Error(variable, $"cannot override inside \"{existing.Value.Key}\", which is not a table"));
                return;
            }
        }
        var leaf = table.FindIgnoreCase(key);
        table.Children[leaf?.Key ?? key] = ConfigNode.Env(value, variable);
    }

    private static ConfigError Error(string variable, string message) => new(null, 0, "", message, variable);
}
