namespace FastGate.Configuration;

/// <summary>
/// One problem found while loading the config. From the file it has a 1-based <see cref="Line"/> (0 when the
/// problem is the file itself); from an environment override it names the <see cref="EnvVariable"/> instead.
/// </summary>
public sealed record ConfigError(string? File, int Line, string Key, string Message, string? EnvVariable = null)
{
    /// <summary><c>config.toml:12: clusters.backend.balancer: unknown balancer "foo" (...)</c> or <c>env FASTGATE_X__Y: ...</c>.</summary>
    public override string ToString()
    {
        if (EnvVariable is not null)
        {
            // The variable already names its key; name the key only when the error is about another one.
            var prefix = EnvironmentOverrides.Prefix.Length;
            var own = EnvVariable.Length > prefix ? EnvVariable[prefix..].Replace("__", ".", StringComparison.Ordinal) : "";
            return Key.Length == 0 || Key.Equals(own, StringComparison.OrdinalIgnoreCase)
                ? $"env {EnvVariable}: {Message}"
                : $"env {EnvVariable}: {Key}: {Message}";
        }
        var location = Line > 0 ? $"{File}:{Line}" : File ?? "config";
        return Key.Length > 0 ? $"{location}: {Key}: {Message}" : $"{location}: {Message}";
    }
}
