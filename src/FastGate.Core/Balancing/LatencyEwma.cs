using System.Diagnostics;

namespace FastGate.Balancing;

/// <summary>
/// A destination's peak-sensitive moving average of response latency (Finagle's and Linkerd's "peak EWMA"): a
/// slower response raises it at once, faster ones pull it down with a 10 s time constant, and it decays toward 0
/// while nothing is observed, so a destination that was slow is tried again. Updates race benignly (a lost
/// observation is harmless); nothing is locked. Runtime state of the destination, kept across reloads.
/// </summary>
public sealed class LatencyEwma
{
    public static readonly long DecayTicks = 10 * Stopwatch.Frequency;

    private long _micros; // the average, as double bits
    private long _stamp;  // Stopwatch timestamp of the last observation

    public void Observe(double micros, long now)
    {
        var current = Decayed(now);
        var next = micros >= current ? micros : current + (micros - current) * (1 - Weight(now - Volatile.Read(ref _stamp)));
        Volatile.Write(ref _micros, BitConverter.DoubleToInt64Bits(next));
        Volatile.Write(ref _stamp, now);
    }

    /// <summary>The average as of <paramref name="now"/>, in microseconds; 0 for a destination never observed.</summary>
    public double Decayed(long now)
    {
        var value = BitConverter.Int64BitsToDouble(Volatile.Read(ref _micros));
        return value == 0 ? 0 : value * Weight(now - Volatile.Read(ref _stamp));
    }

    private static double Weight(long elapsed) => elapsed <= 0 ? 1 : Math.Exp(-(double)elapsed / DecayTicks);
}
