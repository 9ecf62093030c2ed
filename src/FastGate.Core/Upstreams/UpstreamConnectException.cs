namespace FastGate.Upstreams;

/// <summary>No connection to the destination could be made (refused, unreachable, timed out, or pool full).</summary>
public sealed class UpstreamConnectException(DestinationState destination, string message, bool timedOut, Exception? inner = null)
    : Exception($"cannot connect to {destination.Config.Address}: {message}", inner)
{
    public DestinationState Destination { get; } = destination;
    public bool TimedOut { get; } = timedOut;
}
