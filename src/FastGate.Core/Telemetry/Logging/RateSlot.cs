namespace FastGate.Telemetry.Logging;

/// <summary>One kind+key's budget of error-log lines in the current second, and the lines it held back since the last summary.</summary>
internal sealed class RateSlot
{
    /// <summary>0 while free; once claimed, the kind+key it counts, for good.</summary>
    public long Id;
    /// <summary>The event the slot was claimed by, for the summary line; published before <see cref="Ready"/>.</summary>
    public ErrorEvent Event;
    public volatile bool Ready;
    public long Second;
    public int Count;
    public int Suppressed;
}
