namespace FastGate.Proxy;

/// <summary>Bytes a body relay has moved so far; one per direction of an exchange.</summary>
internal sealed class RelayProgress
{
    public long Bytes;

    /// <summary>Milliseconds spent waiting for the source (see <see cref="BodyRate"/>).</summary>
    public long WaitedMs;

    /// <summary><see cref="Deadlines.Heartbeat.Now"/> when the current wait began; 0 when none is under way.</summary>
    public long WaitStartedAt;

    public void Reset() => Bytes = WaitedMs = WaitStartedAt = 0;
}
