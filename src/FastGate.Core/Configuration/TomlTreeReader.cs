using System.Text.RegularExpressions;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace FastGate.Configuration;

/// <summary>
/// Reads TOML text into a <see cref="ConfigNode"/> tree, keeping the line of every key.
/// Uses Tomlyn's full-fidelity syntax tree because the model types (TomlTable) do not keep positions.
/// </summary>
internal static partial class TomlTreeReader
{
    /// <summary>Returns the root table, or null when the text has syntax errors (all reported).</summary>
    public static ConfigNode? Read(string text, string fileName, List<ConfigError> errors)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, fileName, validate: true);
        }
        catch (Tomlyn.TomlException ex)
        {
            errors.Add(new ConfigError(fileName, 0, "", ex.Message));
            return null;
        }
        if (document.HasErrors)
        {
            var seen = new HashSet<(int, string)>();
            foreach (var diagnostic in document.Diagnostics)
            {
                var line = diagnostic.Span.Start.Line + 1;
                var message = Clean(diagnostic.Message);
                if (diagnostic.Kind == DiagnosticMessageKind.Error && seen.Add((line, message)))
                    errors.Add(new ConfigError(fileName, line, "", message));
            }
            return null;
        }

        var root = ConfigNode.Table(1);
        foreach (var kv in document.KeyValues) AddKeyValue(root, "", kv, fileName, errors);
        foreach (var table in document.Tables)
        {
            var line = table.Span.Start.Line + 1;
            var names = KeyParts(table.Name);
            var dotted = string.Join('.', names);
            if (table is TableArraySyntax)
            {
                errors.Add(new ConfigError(fileName, line, dotted, "arrays of tables ([[...]]) are not used by this config"));
                continue;
            }
            var node = Descend(root, names, line);
            if (node is null)
            {
                errors.Add(new ConfigError(fileName, line, dotted, "already defined as a value"));
                continue;
            }
            foreach (var kv in table.Items) AddKeyValue(node, dotted, kv, fileName, errors);
        }
        return root;
    }

    private static void AddKeyValue(ConfigNode table, string prefix, KeyValueSyntax kv, string fileName, List<ConfigError> errors)
    {
        var line = kv.Span.Start.Line + 1;
        var names = KeyParts(kv.Key);
        var dotted = Join(prefix, string.Join('.', names));
        var parent = Descend(table, names.AsSpan(0, names.Length - 1), line);
        if (parent is null || kv.Value is null)
        {
            errors.Add(new ConfigError(fileName, line, dotted, "already defined as a value"));
            return;
        }
        parent.Children[names[^1]] = Convert(kv.Value, line, dotted, fileName, errors);
    }

    private static ConfigNode Convert(ValueSyntax value, int line, string dotted, string fileName, List<ConfigError> errors)
    {
        switch (value)
        {
            case StringValueSyntax s:
                return ConfigNode.String(s.Value ?? "", line);
            case IntegerValueSyntax i:
                return ConfigNode.Integer64(i.Value, line);
            case ArraySyntax array:
                var node = ConfigNode.Array(line);
                foreach (var item in array.Items)
                {
                    if (item.Value is not null)
                        node.Items.Add(Convert(item.Value, item.Span.Start.Line + 1, dotted, fileName, errors));
                }
                return node;
            case InlineTableSyntax inline:
                var table = ConfigNode.Table(line);
                foreach (var item in inline.Items)
                {
                    if (item.KeyValue is not null) AddKeyValue(table, dotted, item.KeyValue, fileName, errors);
                }
                return table;
            case BooleanValueSyntax b:
                return ConfigNode.Other(ConfigNodeKind.Boolean, b.Value ? "true" : "false", line);
            case FloatValueSyntax f:
                return ConfigNode.Other(ConfigNodeKind.Float, f.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), line);
            default:
                return ConfigNode.Other(ConfigNodeKind.DateTime, value.ToString()?.Trim() ?? "", line);
        }
    }

    /// <summary>Walks (creating as needed) the tables named by <paramref name="names"/>; null when a name is taken by a value.</summary>
    private static ConfigNode? Descend(ConfigNode table, ReadOnlySpan<string> names, int line)
    {
        foreach (var name in names)
        {
            if (!table.Children.TryGetValue(name, out var child))
            {
                child = ConfigNode.Table(line);
                table.Children[name] = child;
            }
            if (child.Kind != ConfigNodeKind.Table) return null;
            table = child;
        }
        return table;
    }

    private static string[] KeyParts(KeySyntax? key)
    {
        if (key is null) return [""];
        var parts = new List<string> { Name(key.Key) };
        foreach (var dotted in key.DotKeys) parts.Add(Name(dotted.Key));
        return parts.ToArray();
    }

    private static string Name(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => "",
    };

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;

    // Tomlyn quotes the whole earlier definition in duplicate-key messages; the line number is enough.
    private static string Clean(string message) => QuotedDefinition().Replace(message, "");

    [GeneratedRegex(" with `[^`]*`")]
    private static partial Regex QuotedDefinition();
}
