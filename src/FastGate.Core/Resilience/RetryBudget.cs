using System.Diagnostics;

namespace FastGate.Resilience;

/// <summary>
/// Caps a cluster's retries at <c>budget_percent</c> of its requests over the last 10 s (and at least
/// <see cref="RetryPolicy.MinRetriesPerSecond"/>), so a sick cluster is not hammered with retries on top of its
/// load. The window slides by weighing the previous 10 s period by how much of it still overlaps; requests are
/// counted in per-thread stripes (no shared cache line per request), retries with one atomic each. Runtime state
/// of the cluster, kept across reloads.
/// </summary>
public sealed class RetryBudget
{
    private static readonly long PeriodTicks = 10 * Stopwatch.Frequency;
    private const double PeriodSeconds = 10;

    private readonly Telemetry.StripedCounters _requests = new(2);
    private readonly long[] _retries = new long[2];
    private long _period;

    /// <summary>Retries refused because the budget was spent.</summary>
    public long Exhausted => Volatile.Read(ref _exhausted);
    private long _exhausted;

    /// <summary>Retries made.</summary>
    public long Retries => Volatile.Read(ref _retried);
    private long _retried;

    public void OnRequest(long now) => _requests.Increment(Slot(now));

    /// <summary>Takes one retry from the budget, or refuses (and counts the refusal).</summary>
    public bool TryRetry(double percent, long now)
    {
        var slot = Slot(now);
        var overlap = 1 - (double)(now % PeriodTicks) / PeriodTicks;
        var requests = _requests.Read(slot) + _requests.Read(slot ^ 1) * overlap;
        var retries = Volatile.Read(ref _retries[slot]) + Volatile.Read(ref _retries[slot ^ 1]) * overlap;
        var allowed = Math.Max(RetryPolicy.MinRetriesPerSecond * PeriodSeconds, requests * percent / 100);
        if (retries + 1 > allowed)
        {
            Interlocked.Increment(ref _exhausted);
            return false;
        }
        Interlocked.Increment(ref _retries[slot]);
        Interlocked.Increment(ref _retried);
        return true;
    }

    /// <summary>The slot of the current period; a new period clears its slot (and, after a long idle spell, both).</summary>
    private int Slot(long now)
    {
        var period = now / PeriodTicks;
        var current = Volatile.Read(ref _period);
        if (period != current && Interlocked.CompareExchange(ref _period, period, current) == current)
        {
            Clear((int)(period & 1));
            if (period - current > 1) Clear((int)((period + 1) & 1));
        }
        return (int)(period & 1);
    }

    private void Clear(int slot)
    {
        _requests.Reset(slot);
        Volatile.Write(ref _retries[slot], 0);
    }
}
