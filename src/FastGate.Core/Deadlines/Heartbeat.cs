namespace FastGate.Deadlines;

/// <summary>
/// One thread that ticks every <see cref="PeriodMs"/>, advances the coarse clock <see cref="Now"/> and checks every
/// registered <see cref="PipeDeadlines"/> (Kestrel's Heartbeat and TimeoutControl model). Requests only write
/// <c>long</c> deadlines; no timer is armed or cancelled per request, and an expiry cancels the pending read or flush
/// instead of throwing.
/// </summary>
internal static class Heartbeat
{
    /// <summary>
    /// Tick period, and so the precision of every deadline: a timeout fires at most this late, which keeps a 200 ms
    /// one within 10 % of its bound. A tick reads two words per registered connection (10,000 connections: about
    /// 30 µs), so 50 ticks a second cost next to nothing.
    /// </summary>
    public const int PeriodMs = 20;

    /// <summary>A deadline that never expires.</summary>
    public const long Never = long.MaxValue;

    private static readonly Lock s_gate = new();
    private static readonly Stack<int> s_free = new();
    private static PipeDeadlines?[] s_targets = new PipeDeadlines?[256];
    private static int s_used;
    private static readonly long s_ticksPerMs = System.Diagnostics.Stopwatch.Frequency / 1000;
    private static long s_now = Clock();
    private static long s_ticks;

    static Heartbeat()
    {
        // UnsafeStart: the thread must not keep the execution context of whoever touched the heartbeat first.
        new Thread(Run) { IsBackground = true, Name = "fastgate heartbeat" }.UnsafeStart();
    }

    /// <summary>Milliseconds on a monotonic clock, as of the last tick.</summary>
    public static long Now => Volatile.Read(ref s_now);

    /// <summary>Ticks so far (for tests that wait for the heartbeat to have run).</summary>
    public static long Ticks => Volatile.Read(ref s_ticks);

    /// <summary>The deadline <paramref name="timeout"/> from now; <see cref="Never"/> for an infinite or huge timeout.</summary>
    public static long After(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds >= long.MaxValue / 4) return Never;
        // From the clock itself, not the last tick's reading, which is up to a period old: a deadline set from
        // that would expire up to a period early.
        return After(timeout, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The deadline <paramref name="timeout"/> after <paramref name="timestamp"/>, a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp the caller has just taken for itself (the exchange's phase times): the same clock as <see cref="After(TimeSpan)"/>
    /// without reading it again. Both are rounded up to whole milliseconds, since a tick compares its reading of the
    /// clock rounded down: the deadline is then never passed before <paramref name="timeout"/> has fully elapsed.
    /// </summary>
    public static long After(TimeSpan timeout, long timestamp)
    {
        if (timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds >= long.MaxValue / 4) return Never;
        return (timestamp + s_ticksPerMs - 1) / s_ticksPerMs + (long)Math.Ceiling(timeout.TotalMilliseconds);
    }

    /// <summary>Starts checking <paramref name="target"/>; once per connection, not per request.</summary>
    public static void Register(PipeDeadlines target)
    {
        lock (s_gate)
        {
            if (!s_free.TryPop(out var slot))
            {
                slot = s_used++;
                if (slot == s_targets.Length)
                {
                    var grown = new PipeDeadlines?[s_targets.Length * 2];
                    s_targets.CopyTo(grown, 0);
                    Volatile.Write(ref s_targets, grown);
                }
            }
            target.HeartbeatSlot = slot;
            Volatile.Write(ref s_targets[slot], target);
        }
    }

    public static void Unregister(PipeDeadlines target)
    {
        lock (s_gate)
        {
            var slot = target.HeartbeatSlot;
            if (slot < 0 || s_targets[slot] != target) return;
            s_targets[slot] = null;
            s_free.Push(slot);
            target.HeartbeatSlot = -1;
        }
    }

    /// <summary>
    /// Milliseconds on the precise monotonic clock. Not <see cref="Environment.TickCount64"/>: that is the coarse
    /// clock, a few ms behind, and a deadline set from it would fire that much early.
    /// </summary>
    private static long Clock() => System.Diagnostics.Stopwatch.GetTimestamp() / s_ticksPerMs;

    private static void Run()
    {
        while (true)
        {
            Thread.Sleep(PeriodMs);
            var now = Clock();
            Volatile.Write(ref s_now, now);
            var targets = Volatile.Read(ref s_targets);
            for (var i = 0; i < targets.Length; i++)
            {
                if (Volatile.Read(ref targets[i]) is { } target) target.Check(now);
            }
            Interlocked.Increment(ref s_ticks);
        }
    }
}
