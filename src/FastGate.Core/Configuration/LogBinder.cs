using FastGate.Telemetry.Logging;

namespace FastGate.Configuration;

/// <summary>Binds <c>[access_log]</c>, and the error log's keys of <c>[telemetry]</c> (<c>log_level</c>, <c>error_log</c>, <c>error_log_format</c>).</summary>
internal sealed class LogBinder(ConfigReader reader)
{
    private static readonly string[] Levels = ["debug", "info", "notice", "warn", "error"];

    public AccessLogOptions BindAccessLog(ConfigNode table)
    {
        const string s = ConfigSchema.AccessLog;
        reader.CheckKeys(table, s, ConfigSchema.AccessLogKeys);
        var children = table.Children;
        var defaults = AccessLogOptions.Off;
        var output = defaults.Output;
        if (children.TryGetValue("output", out var node) && reader.TryString(node, $"{s}.output", out var text))
            output = text == "off" ? null : Output(node, $"{s}.output", text, "\"off\", \"stdout\" or a file path");
        var format = defaults.Format;
        if (children.TryGetValue("format", out node) && reader.TryString(node, $"{s}.format", out var name))
        {
            if (name == "json") format = AccessLogFormat.Json;
            else if (name == "combined") format = AccessLogFormat.Combined;
            else reader.Error(node, $"{s}.format", $"unknown format \"{name}\" (expected \"json\" or \"combined\")");
        }
        var buffer = defaults.BufferBytes;
        if (children.TryGetValue("buffer", out node) && reader.TrySize(node, $"{s}.buffer", 64 * 1024, 1L << 30, out var size))
            buffer = (int)size;
        return new AccessLogOptions(output, format, buffer);
    }

    /// <summary>The error log's keys of an already key-checked <c>[telemetry]</c> table.</summary>
    public ErrorLogOptions BindErrorLog(ConfigNode table)
    {
        const string s = ConfigSchema.Telemetry;
        var children = table.Children;
        var defaults = ErrorLogOptions.Default;
        var level = defaults.Level;
        if (children.TryGetValue("log_level", out var node) && reader.TryString(node, $"{s}.log_level", out var name))
        {
            var index = Array.IndexOf(Levels, name);
            if (index >= 0) level = (ErrorLogLevel)index;
            else reader.Error(node, $"{s}.log_level", $"unknown level \"{name}\"{ConfigSchema.Suggest(name, Levels)} (expected {string.Join(", ", Levels)})");
        }
        var output = defaults.Output;
        if (children.TryGetValue("error_log", out node) && reader.TryString(node, $"{s}.error_log", out var text))
            output = Output(node, $"{s}.error_log", text, "\"stderr\", \"stdout\" or a file path") ?? output;
        var format = defaults.Format;
        if (children.TryGetValue("error_log_format", out node) && reader.TryString(node, $"{s}.error_log_format", out var formatName))
        {
            if (formatName == "plain") format = ErrorLogFormat.Plain;
            else if (formatName == "json") format = ErrorLogFormat.Json;
            else reader.Error(node, $"{s}.error_log_format", $"unknown format \"{formatName}\" (expected \"plain\" or \"json\")");
        }
        return new ErrorLogOptions(level, output, format);
    }

    /// <summary>"stdout", "stderr", or a file path whose directory exists; null (after an error) otherwise.</summary>
    private string? Output(ConfigNode node, string key, string text, string expected)
    {
        if (text is "stdout" or "stderr") return text;
        if (text.Length == 0 || text == "off")
        {
            reader.Error(node, key, $"expected {expected}");
            return null;
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(text));
        if (directory is not null && !Directory.Exists(directory))
        {
            reader.Error(node, key, $"directory \"{directory}\" does not exist");
            return null;
        }
        if (Directory.Exists(text))
        {
            reader.Error(node, key, $"\"{text}\" is a directory; expected a file path");
            return null;
        }
        return Path.GetFullPath(text);
    }
}
