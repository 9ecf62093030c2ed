namespace FastGate.Health;

/// <summary>
/// A destination's slow start: for <c>slow_start</c> after it recovers (or joins a running cluster) its share of
/// picks grows linearly from <see cref="MinFactor"/> to full, as Envoy's slow start (its default 10 % floor) and
/// nginx's <c>slow_start</c>. Balancers ask <see cref="Admits"/> (a probabilistic skip: taken with probability
/// <see cref="Factor"/>) or scale a weight by <see cref="Factor"/>. Lock-free and allocation-free; while nothing
/// ramps, each call is one volatile read.
/// </summary>
public sealed class SlowStart
{
    /// <summary>The share a ramp starts at, so a recovered destination sees some traffic at once.</summary>
    public const double MinFactor = 0.1;

    private long _startMs;
    private long _endMs; // 0: not ramping

    public bool IsRamping => Volatile.Read(ref _endMs) != 0 && Environment.TickCount64 < Volatile.Read(ref _endMs);

    /// <summary>Starts (or restarts) a ramp over <paramref name="duration"/>; zero or less: none.</summary>
    public void Begin(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return;
        var now = Environment.TickCount64;
        Volatile.Write(ref _startMs, now);
        Volatile.Write(ref _endMs, now + Math.Max(1, (long)duration.TotalMilliseconds));
    }

    /// <summary>Ends a ramp at once (full share).</summary>
    public void Reset() => Volatile.Write(ref _endMs, 0);

    /// <summary>The share now, <see cref="MinFactor"/> to 1; 1 when not ramping.</summary>
    public double Factor()
    {
        var end = Volatile.Read(ref _endMs);
        return end == 0 ? 1 : Ramp(end);
    }

    /// <summary>True with probability <see cref="Factor"/>; always true when not ramping.</summary>
    public bool Admits()
    {
        var end = Volatile.Read(ref _endMs);
        return end == 0 || Random.Shared.NextDouble() < Ramp(end);
    }

    private double Ramp(long end)
    {
        var now = Environment.TickCount64;
        if (now >= end)
        {
            Interlocked.CompareExchange(ref _endMs, 0, end);
            return 1;
        }
        var start = Volatile.Read(ref _startMs);
        var span = end - start;
        return span <= 0 ? 1 : Math.Max(MinFactor, (double)(now - start) / span);
    }
}
