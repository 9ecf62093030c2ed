using System.Numerics;

namespace FastGate.Telemetry;

/// <summary>
/// Which stripe of a striped recorder the calling thread writes to. Threads are dealt stripes in turn on their
/// first record, so each event loop (and each of the few other threads that record) mostly has a stripe of its
/// own: records stay uncontended and nothing is locked; readers sum the stripes off the hot path.
/// </summary>
internal static class Stripe
{
    /// <summary>A power of two, at least the processor count (and 2).</summary>
    public static readonly int Count = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, Environment.ProcessorCount));

    private static int s_dealt;

    /// <summary>The stripe plus one; 0 until the thread first records.</summary>
    [ThreadStatic] private static int t_stripe;

    public static int Current
    {
        get
        {
            var stripe = t_stripe;
            if (stripe == 0) t_stripe = stripe = (Interlocked.Increment(ref s_dealt) & (Count - 1)) + 1;
            return stripe - 1;
        }
    }
}
