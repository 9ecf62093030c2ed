using System.Globalization;

namespace FastGate.Configuration;

/// <summary>Typed access to <see cref="ConfigNode"/> values; every failure is recorded as a <see cref="ConfigError"/> and reading goes on.</summary>
internal sealed class ConfigReader(string fileName, List<ConfigError> errors)
{
    public int ErrorCount => errors.Count;

    /// <summary>The config file's name, against whose directory relative file paths in it resolve.</summary>
    public string FileName => fileName;

    public void Error(ConfigNode node, string key, string message) =>
        errors.Add(node.EnvVariable is { } variable
            ? new ConfigError(null, 0, key, message, variable)
            : new ConfigError(fileName, node.Line, key, message));

    public bool IsTable(ConfigNode node, string key)
    {
        if (node.Kind == ConfigNodeKind.Table) return true;
        TypeError(node, key, "a table");
        return false;
    }

    /// <summary>Reports every child of <paramref name="table"/> that is not in <paramref name="known"/>.</summary>
    public void CheckKeys(ConfigNode table, string prefix, string[] known)
    {
        foreach (var (key, node) in table.Children)
        {
            if (Array.IndexOf(known, key) < 0)
                Error(node, $"{prefix}.{key}", $"unknown key \"{key}\"{ConfigSchema.Suggest(key, known)}");
        }
    }

    public bool TryString(ConfigNode node, string key, out string value)
    {
        value = node.Text;
        if (node.Kind is ConfigNodeKind.String or ConfigNodeKind.EnvText) return true;
        TypeError(node, key, "a string");
        return false;
    }

    /// <summary>An array of strings, or comma-separated text from an environment variable.</summary>
    public bool TryStringList(ConfigNode node, string key, out List<(string Value, ConfigNode Node)> values)
    {
        values = [];
        if (node.Kind == ConfigNodeKind.EnvText)
        {
            foreach (var part in node.Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                values.Add((part, node));
            return true;
        }
        if (node.Kind != ConfigNodeKind.Array)
        {
            TypeError(node, key, "an array of strings");
            return false;
        }
        var ok = true;
        foreach (var item in node.Items)
        {
            if (item.Kind == ConfigNodeKind.String) values.Add((item.Text, item));
            else
            {
                TypeError(item, key, "an array of strings", $"an array item of type {item.TypeName}");
                ok = false;
            }
        }
        return ok;
    }

    public bool TryInt(ConfigNode node, string key, int min, int max, out int value)
    {
        value = 0;
        long number;
        if (node.Kind == ConfigNodeKind.Integer) number = node.Integer;
        else if (node.Kind == ConfigNodeKind.EnvText && long.TryParse(node.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) number = parsed;
        else
        {
            TypeError(node, key, "an integer");
            return false;
        }
        if (number < min || number > max)
        {
            Error(node, key, $"{number} is out of range ({min}-{max})");
            return false;
        }
        value = (int)number;
        return true;
    }

    /// <summary>A table value (<c>key = { ... }</c>) with only <paramref name="keys"/>; otherwise an error that shows <paramref name="example"/>.</summary>
    public bool TryTable(ConfigNode node, string key, string[] keys, string example)
    {
        if (node.Kind != ConfigNodeKind.Table)
        {
            Error(node, key, $"expected a table such as {example}");
            return false;
        }
        CheckKeys(node, key, keys);
        return true;
    }

    /// <summary>A TOML float or integer (or either from an environment variable) within [min, max].</summary>
    public bool TryNumber(ConfigNode node, string key, double min, double max, out double value)
    {
        value = 0;
        if (node.Kind == ConfigNodeKind.Integer) value = node.Integer;
        else if (node.Kind is not (ConfigNodeKind.Float or ConfigNodeKind.EnvText)
                 || !double.TryParse(node.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            TypeError(node, key, "a number");
            return false;
        }
        if (double.IsNaN(value) || value < min || value > max)
        {
            Error(node, key, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range ({min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)})");
            return false;
        }
        return true;
    }

    /// <summary>A TOML boolean, or "true"/"false" from an environment variable.</summary>
    public bool TryBool(ConfigNode node, string key, out bool value)
    {
        value = false;
        if (node.Kind == ConfigNodeKind.Boolean) return bool.TryParse(node.Text, out value);
        if (node.Kind == ConfigNodeKind.EnvText && bool.TryParse(node.Text.Trim(), out value)) return true;
        TypeError(node, key, "a boolean (true or false)");
        return false;
    }

    /// <summary>A duration string ("500ms", "1m30s") or an integer of seconds.</summary>
    public bool TryDuration(ConfigNode node, string key, bool allowZero, out TimeSpan value)
    {
        value = default;
        bool ok;
        switch (node.Kind)
        {
            case ConfigNodeKind.Integer:
                ok = node.Integer >= 0 && node.Integer <= DurationParser.Max.TotalSeconds;
                if (ok) value = TimeSpan.FromSeconds(node.Integer);
                break;
            case ConfigNodeKind.String:
                ok = DurationParser.TryParse(node.Text, out value);
                break;
            case ConfigNodeKind.EnvText:
                ok = DurationParser.TryParseSeconds(node.Text, out value) || DurationParser.TryParse(node.Text, out value);
                break;
            default:
                TypeError(node, key, "a duration (string such as \"10s\" or integer seconds)");
                return false;
        }
        if (!ok)
        {
            Error(node, key, $"bad duration \"{node.Text}\" (use e.g. \"500ms\", \"10s\", \"1m30s\"; at most 24 days)");
            return false;
        }
        if (!allowZero && value <= TimeSpan.Zero)
        {
            Error(node, key, "must be greater than zero");
            return false;
        }
        return true;
    }

    /// <summary>A size string ("32KiB", "1MB") or an integer of bytes.</summary>
    public bool TrySize(ConfigNode node, string key, long min, long max, out long value)
    {
        value = 0;
        bool ok;
        switch (node.Kind)
        {
            case ConfigNodeKind.Integer:
                value = node.Integer;
                ok = true;
                break;
            case ConfigNodeKind.String:
                ok = SizeParser.TryParse(node.Text, out value);
                break;
            case ConfigNodeKind.EnvText:
                ok = long.TryParse(node.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) || SizeParser.TryParse(node.Text, out value);
                break;
            default:
                TypeError(node, key, "a size (integer bytes or a string such as \"8KiB\")");
                return false;
        }
        if (!ok)
        {
            Error(node, key, $"bad size \"{node.Text}\" (use e.g. 8192, \"512B\", \"8KiB\", \"1MiB\", \"1KB\")");
            return false;
        }
        if (value < min || value > max)
        {
            Error(node, key, $"{SizeParser.Format(value)} is out of range ({SizeParser.Format(min)}-{SizeParser.Format(max)})");
            return false;
        }
        return true;
    }

    private void TypeError(ConfigNode node, string key, string expected, string? actual = null) =>
        Error(node, key, $"expected {expected}, got {actual ?? node.TypeName}");
}
