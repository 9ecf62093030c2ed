namespace FastGate.Resilience;

/// <summary>
/// How many of a cluster's members outlier detection may have ejected at once: <c>max_ejection_percent</c> of
/// them, rounded down (so a cluster of one is never emptied). Taken and given back lock-free; kept by the cluster
/// across reloads and resized when its members change.
/// </summary>
public sealed class EjectionBudget
{
    private int _ejected;
    private volatile int _max;

    /// <summary>Members ejected now.</summary>
    public int Ejected => Volatile.Read(ref _ejected);

    /// <summary>The most that may be ejected at once.</summary>
    public int Max => _max;

    internal void Resize(int members, int percent) => _max = (int)((long)members * percent / 100);

    /// <summary>Takes one ejection, or refuses when <see cref="Max"/> are ejected already.</summary>
    public bool TryTake()
    {
        int ejected;
        do
        {
            ejected = Volatile.Read(ref _ejected);
            if (ejected >= _max) return false;
        } while (Interlocked.CompareExchange(ref _ejected, ejected + 1, ejected) != ejected);
        return true;
    }

    public void Give() => Interlocked.Decrement(ref _ejected);
}
