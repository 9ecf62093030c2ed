using FastGate.Telemetry.Logging;

namespace FastGate.Configuration;

/// <summary>The error log's settings in <c>[telemetry]</c>: the least level written, where to ("stderr" or a file path), the format.</summary>
public sealed record ErrorLogOptions(ErrorLogLevel Level, string Output, ErrorLogFormat Format)
{
    public static readonly ErrorLogOptions Default = new(ErrorLogLevel.Warn, "stderr", ErrorLogFormat.Plain);
}
