namespace FastGate.Buffering;

/// <summary>Spool bytes on disk across every response of the process, held under <c>limits.max_spool_total</c>.</summary>
internal static class SpoolBudget
{
    private static long s_inUse;

    public static long InUse => Volatile.Read(ref s_inUse);

    public static bool TryReserve(long bytes, long max)
    {
        while (true)
        {
            var current = Volatile.Read(ref s_inUse);
            if (current + bytes > max) return false;
            if (Interlocked.CompareExchange(ref s_inUse, current + bytes, current) == current) return true;
        }
    }

    public static void Release(long bytes) => Interlocked.Add(ref s_inUse, -bytes);
}
