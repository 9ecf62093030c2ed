namespace FastGate.Telemetry.Logging;

/// <summary><c>telemetry.error_log_format</c>: "time [level] message, key: value, ..." lines, or one JSON object per line.</summary>
public enum ErrorLogFormat : byte
{
    Plain,
    Json,
}
