namespace FastGate.Telemetry;

/// <summary>
/// Which slot of a <see cref="LatencyRecorder"/> the calling thread writes: the first threads that record (the event
/// loops, in practice) each get a slot of their own for good, so their writes need no atomics; any thread after
/// those shares one last slot, written with atomics.
/// </summary>
internal static class WriterSlot
{
    /// <summary>Slots owned by one thread each: twice the processors, room for every event loop and a few more.</summary>
    public static readonly int Exclusive = 2 * Math.Max(1, Environment.ProcessorCount);

    public static int Count => Exclusive + 1;

    public static int Shared => Exclusive;

    private static int s_dealt;

    /// <summary>The slot plus one; 0 until the thread first records.</summary>
    [ThreadStatic] private static int t_slot;

    public static int Current
    {
        get
        {
            var slot = t_slot;
            if (slot == 0) t_slot = slot = Math.Min(Interlocked.Increment(ref s_dealt) - 1, Exclusive) + 1;
            return slot - 1;
        }
    }
}
