namespace FastGate.Configuration;

/// <summary>The outcome of loading a config: a snapshot when there are no errors, otherwise every error found.</summary>
public sealed class ConfigResult
{
    public ConfigResult(GatewaySnapshot? snapshot, IReadOnlyList<ConfigError> errors)
    {
        Snapshot = errors.Count == 0 ? snapshot : null;
        Errors = errors;
    }

    public GatewaySnapshot? Snapshot { get; }

    /// <summary>File errors in line order, then environment override errors by variable name.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    public bool Success => Snapshot is not null;

    /// <summary>Every error, one per line, in the <see cref="ConfigError.ToString"/> format.</summary>
    public string ErrorText => string.Join(Environment.NewLine, Errors);
}
