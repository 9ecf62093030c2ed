namespace FastGate.Telemetry.Logging;

/// <summary>
/// Lets at most <see cref="PerSecond"/> error-log lines of one kind+key (a rejection reason; an upstream failure kind
/// and its destination) through per second, and counts the rest, so an attack cannot fill the disk; the writer thread
/// then writes one "repeated N times" line per slot that held lines back. Lock-free and allocation-free: slots are
/// made up front and claimed by compare-exchange; a kind+key that finds no slot of its own shares its home slot.
/// </summary>
internal sealed class LogRateLimiter
{
    public const int PerSecond = 10;

    private const int Slots = 1024;
    private const int Probes = 8;

    private readonly RateSlot[] _slots = new RateSlot[Slots];
    private long _suppressed;

    public LogRateLimiter()
    {
        for (var i = 0; i < Slots; i++) _slots[i] = new RateSlot();
    }

    /// <summary>Lines held back since start.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>True when this event's line may be written now; otherwise it is counted for the next summary.</summary>
    public bool Admit(in ErrorEvent errorEvent)
    {
        var slot = SlotOf(errorEvent);
        var second = Environment.TickCount64 / 1000;
        var current = Volatile.Read(ref slot.Second);
        if (current != second && Interlocked.CompareExchange(ref slot.Second, second, current) == current)
            Volatile.Write(ref slot.Count, 0);
        if (Interlocked.Increment(ref slot.Count) <= PerSecond) return true;
        Interlocked.Increment(ref slot.Suppressed);
        Interlocked.Increment(ref _suppressed);
        return false;
    }

    /// <summary>
    /// For the writer thread: each slot that held lines back and whose second is over hands over its count, once,
    /// with the event to name in its summary.
    /// </summary>
    public void CollectSummaries<TState>(TState state, Action<TState, ErrorEvent, int> summary)
    {
        var second = Environment.TickCount64 / 1000;
        foreach (var slot in _slots)
        {
            if (!slot.Ready || Volatile.Read(ref slot.Suppressed) == 0 || Volatile.Read(ref slot.Second) == second) continue;
            var count = Interlocked.Exchange(ref slot.Suppressed, 0);
            if (count > 0) summary(state, slot.Event, count);
        }
    }

    private RateSlot SlotOf(in ErrorEvent errorEvent)
    {
        var keyHash = errorEvent.Destination is { } destination ? destination.Config.AddressHash : 0UL;
        var id = ((long)(errorEvent.KindIndex + 1) << 40) ^ (long)(keyHash & 0xFF_FFFF_FFFF);
        var home = (int)((ulong)(id * unchecked((long)0x9E3779B97F4A7C15)) >> 54);
        for (var probe = 0; probe < Probes; probe++)
        {
            var slot = _slots[(home + probe) & (Slots - 1)];
            var owner = Volatile.Read(ref slot.Id);
            if (owner == 0)
            {
                owner = Interlocked.CompareExchange(ref slot.Id, id, 0);
                if (owner == 0)
                {
                    slot.Event = errorEvent;
                    slot.Ready = true;
                    return slot;
                }
            }
            if (owner == id) return slot;
        }
        return _slots[home];
    }
}
