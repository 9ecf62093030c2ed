namespace FastGate.Telemetry.Logging;

/// <summary>What an error-log line about an exchange tells.</summary>
internal enum ErrorEventKind : byte
{
    RequestRejected,
    UpstreamFailed,
    NoRoute,
    NoDestination,
    ClientGone,
    Overloaded,
}
