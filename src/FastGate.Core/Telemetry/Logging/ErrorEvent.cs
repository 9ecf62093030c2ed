using FastGate.Upstreams;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// One exchange's trouble as the error log tells it: the kind of event, its level, the specific kind (a rejection
/// reason's or an upstream failure's label), the status sent, the reason in words, and the destination when one was
/// involved. Every byte array comes from a table built once.
/// </summary>
internal readonly record struct ErrorEvent(
    ErrorEventKind Event, ErrorLogLevel Level, byte[] Kind, int Status, byte[] Reason, DestinationState? Destination)
{
    /// <summary>The rate limiter's key: the specific kind, and the destination when there is one.</summary>
    public int KindIndex { get; init; }
}
