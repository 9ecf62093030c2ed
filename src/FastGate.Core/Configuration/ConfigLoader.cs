using System.Collections;

namespace FastGate.Configuration;

/// <summary>
/// Loads config.toml plus <c>FASTGATE_*</c> environment overrides into a validated <see cref="GatewaySnapshot"/>.
/// Never throws for bad input: every problem found comes back in <see cref="ConfigResult.Errors"/>.
/// Destination host names are resolved while loading, so call this off the hot path.
/// </summary>
public static class ConfigLoader
{
    public const string EnvironmentPrefix = EnvironmentOverrides.Prefix;

    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    public static ConfigResult LoadFile(string path, IReadOnlyDictionary<string, string>? environment = null) =>
        ReadFile(path, out var text) is { } error
            ? new ConfigResult(null, [error])
            : LoadText(text, path, environment);

    /// <summary>The file's text, or (as the return value) the error that names why it cannot be read.</summary>
    public static ConfigError? ReadFile(string path, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ConfigError(path, 0, "", "file not found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ConfigError(path, 0, "", $"cannot read file: {ex.Message}");
        }
    }

    /// <param name="fileName">Used only in error messages.</param>
    public static ConfigResult LoadText(string text, string fileName, IReadOnlyDictionary<string, string>? environment = null)
    {
        var errors = new List<ConfigError>();
        var root = TomlTreeReader.Read(text, fileName, errors);
        if (root is null)
        {
            // Still check the override names, so one run shows every problem it can.
            EnvironmentOverrides.Apply(ConfigNode.Table(0), environment ?? NoEnvironment, errors);
            return new ConfigResult(null, errors);
        }

        EnvironmentOverrides.Apply(root, environment ?? NoEnvironment, errors);
        var snapshot = new SnapshotBuilder(new ConfigReader(fileName, errors)).Build(root);

        // Stable: errors on one line (or one variable) keep the order they were found in.
        var sorted = errors
            .OrderBy(e => e.EnvVariable is null ? 0 : 1)
            .ThenBy(e => e.Line)
            .ThenBy(e => e.EnvVariable, StringComparer.Ordinal)
            .ToArray();
        return new ConfigResult(snapshot, sorted);
    }

    /// <summary>The process's <c>FASTGATE_*</c> environment variables, for <see cref="LoadFile"/>.</summary>
    public static IReadOnlyDictionary<string, string> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                result[name] = value;
        }
        return result;
    }
}
