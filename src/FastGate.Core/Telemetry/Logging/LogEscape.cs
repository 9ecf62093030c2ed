namespace FastGate.Telemetry.Logging;

/// <summary>Which escaping a value gets in a log line (<see cref="LogEscaping"/>).</summary>
internal enum LogEscape : byte
{
    /// <summary>Inside a JSON string.</summary>
    Json,
    /// <summary>A plain error-log message: controls and invalid UTF-8 escaped, quotes kept.</summary>
    Text,
    /// <summary>Inside a quoted field of the combined format, or of a plain error-log line.</summary>
    Combined,
}
