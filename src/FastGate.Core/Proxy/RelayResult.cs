namespace FastGate.Proxy;

internal enum RelayResult : byte
{
    Done,
    /// <summary>The source closed before the body was complete.</summary>
    SourceEnded,
    /// <summary>The destination stopped reading (its connection is gone).</summary>
    DestinationClosed,
    /// <summary>The body's framing is invalid.</summary>
    Invalid,
    /// <summary>The body exceeds the configured limit.</summary>
    TooLarge,
    /// <summary>No progress within the idle timeout.</summary>
    TimedOut,
    /// <summary>The destination did not take the bytes within the send timeout.</summary>
    SendTimedOut,
    /// <summary>A socket error, or the relay was cancelled.</summary>
    Failed,
}
