namespace FastGate.Telemetry.Logging;

/// <summary><c>access_log.format</c>: one JSON object per line, or Apache/nginx's combined log format.</summary>
public enum AccessLogFormat : byte
{
    Json,
    Combined,
}
