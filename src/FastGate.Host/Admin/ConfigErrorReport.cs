using FastGate.Configuration;

namespace FastGate.Host.Admin;

/// <summary>One config error: file and line (0: the file itself) or the environment variable, the dotted key, the message, and the line <c>fastgate validate</c> prints.</summary>
internal sealed record ConfigErrorReport(string? File, int Line, string Key, string Message, string? EnvVariable, string Text)
{
    public static ConfigErrorReport Of(ConfigError error)
    {
        var shown = EffectiveConfig.Redact(error);
        return new ConfigErrorReport(shown.File, shown.Line, shown.Key, shown.Message, shown.EnvVariable, shown.ToString());
    }
}
