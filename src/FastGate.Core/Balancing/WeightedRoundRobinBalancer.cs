using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>weighted_round_robin</c>: each destination gets its weight's share, interleaved as nginx's smooth weighted
/// round robin does (weights 5, 1, 1 give a a b a c a a, never five a in a row). The sequence for an available set
/// is computed once, when the set first shows up (it is rebuilt off the hot path, so that is rare), and then
/// walked with one interlocked increment: lock-free, and no state per destination to keep in step.
/// </summary>
public sealed class WeightedRoundRobinBalancer : IBalancer
{
    public const string ConfigName = "weighted_round_robin";

    /// <summary>Longer sequences are scaled down (weights divided by their common divisor first): 64 KiB of indexes at most.</summary>
    private const int MaxSequence = 16_384;

    private volatile Schedule? _schedule;
    private int _next = -1;

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        if (available.Length <= 1) return available.Length == 0 ? null : available[0];
        var schedule = _schedule;
        if (schedule is null || !ReferenceEquals(schedule.Available, available)) _schedule = schedule = new Schedule(available);
        for (var tries = 1; ; tries++)
        {
            var n = (uint)Interlocked.Increment(ref _next);
            var picked = available[schedule.Order[n % (uint)schedule.Order.Length]];
            // Slow start: skipped with probability 1 − factor, an effective weight of weight × factor.
            if (tries == SlowStartSkips.MaxTries || picked.SlowStart.Admits()) return picked;
        }
    }

    /// <summary>The smooth weighted round-robin order of one available set (indexes into it).</summary>
    private sealed class Schedule
    {
        public Schedule(DestinationState[] available)
        {
            Available = available;
            var weights = new int[available.Length];
            var divisor = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = Math.Max(1, available[i].Config.Weight);
                divisor = Gcd(divisor, weights[i]);
            }
            long total = 0;
            for (var i = 0; i < weights.Length; i++) total += weights[i] /= divisor;
            if (total > MaxSequence)
            {
                var scaled = 0L;
                for (var i = 0; i < weights.Length; i++) scaled += weights[i] = (int)Math.Max(1, weights[i] * (long)MaxSequence / total);
                total = scaled;
            }
            Order = new int[total];
            var current = new long[weights.Length];
            for (var step = 0; step < Order.Length; step++)
            {
                var best = 0;
                for (var i = 0; i < weights.Length; i++)
                {
                    current[i] += weights[i];
                    if (current[i] > current[best]) best = i;
                }
                current[best] -= total;
                Order[step] = best;
            }
        }

        public DestinationState[] Available { get; }
        public int[] Order { get; }

        private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
    }
}
