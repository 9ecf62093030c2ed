namespace FastGate.Telemetry.Logging;

/// <summary>
/// <c>telemetry.log_level</c>: the least severe error-log lines written. <see cref="Notice"/> sits between info and
/// warn, as in nginx and syslog, for what is normal but worth telling: reloads and their results.
/// </summary>
public enum ErrorLogLevel : byte
{
    Debug,
    Info,
    Notice,
    Warn,
    Error,
}
