namespace FastGate.Configuration;

/// <summary>
/// A TOML value or an environment override, with where it came from. The loader builds a tree of these from
/// the syntax tree (which has line numbers but is awkward to query), applies overrides, then binds it.
/// </summary>
internal sealed class ConfigNode
{
    private ConfigNode(ConfigNodeKind kind, int line, string? envVariable)
    {
        Kind = kind;
        Line = line;
        EnvVariable = envVariable;
    }

    public ConfigNodeKind Kind { get; }

    /// <summary>1-based line in the file; 0 for a node created by an environment override.</summary>
    public int Line { get; }

    public string? EnvVariable { get; }

    public string Text { get; private init; } = "";

    public long Integer { get; private init; }

    public List<ConfigNode> Items { get; } = [];

    public OrderedDictionary<string, ConfigNode> Children { get; } = new(StringComparer.Ordinal);

    public static ConfigNode Table(int line, string? envVariable = null) => new(ConfigNodeKind.Table, line, envVariable);

    public static ConfigNode Array(int line) => new(ConfigNodeKind.Array, line, null);

    public static ConfigNode String(string text, int line) => new(ConfigNodeKind.String, line, null) { Text = text };

    public static ConfigNode Integer64(long value, int line) => new(ConfigNodeKind.Integer, line, null) { Integer = value, Text = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public static ConfigNode Other(ConfigNodeKind kind, string text, int line) => new(kind, line, null) { Text = text };

    public static ConfigNode Env(string text, string variable) => new(ConfigNodeKind.EnvText, 0, variable) { Text = text };

    /// <summary>The child whose key equals <paramref name="key"/> ignoring case (environment names have no case).</summary>
    public KeyValuePair<string, ConfigNode>? FindIgnoreCase(string key)
    {
        foreach (var child in Children)
        {
            if (string.Equals(child.Key, key, StringComparison.OrdinalIgnoreCase)) return child;
        }
        return null;
    }

    public string TypeName => Kind switch
    {
        ConfigNodeKind.Table => "table",
        ConfigNodeKind.String => "string",
        ConfigNodeKind.Integer => "integer",
        ConfigNodeKind.Float => "float",
        ConfigNodeKind.Boolean => "boolean",
        ConfigNodeKind.DateTime => "date-time",
        ConfigNodeKind.Array => "array",
        _ => "text",
    };
}
