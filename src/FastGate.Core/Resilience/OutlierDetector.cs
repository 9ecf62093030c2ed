using System.Diagnostics;
using FastGate.Telemetry.Logging;
using FastGate.Upstreams;

namespace FastGate.Resilience;

/// <summary>
/// Passive health of one destination (<c>outlier</c>): <see cref="OutlierPolicy.ConsecutiveFailures"/> failed
/// attempts in a row (5xx, connect failures, timeouts, resets and invalid responses alike, as Envoy's
/// consecutive_5xx counts local failures as 5xx) eject it for base_ejection × n, at most max_ejection, where n counts
/// its ejections in a row (back to 0 once it has gone max_ejection without one); never beyond the cluster's
/// <see cref="EjectionBudget"/>. A one-shot timer (no thread) brings it back. Counting is one interlocked increment
/// per failure and a read per success.
/// </summary>
public sealed class OutlierDetector : IPassiveMonitor, IDisposable
{
    private const int In = 0, Ejected = 1, Leaving = 2;

    private readonly DestinationState _destination;
    private readonly EjectionBudget _budget;
    private readonly string _cluster;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _consecutive;
    private int _state;
    private int _streak;
    private long _ejections;
    private long _ejectedUntil;
    private long _returnedAt;
    private long _capped;
    private volatile bool _disposed;

    public OutlierDetector(OutlierPolicy policy, DestinationState destination, EjectionBudget budget, string cluster, TimeProvider time)
    {
        Policy = policy;
        _destination = destination;
        _budget = budget;
        _cluster = cluster;
        _time = time;
        _timer = time.CreateTimer(static s => ((OutlierDetector)s!).Return(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public OutlierPolicy Policy { get; }

    /// <summary>The budget of the cluster whose config this detector follows.</summary>
    public EjectionBudget Budget => _budget;

    public bool IsEjected => Volatile.Read(ref _state) == Ejected;

    /// <summary>When the current ejection ends (a <see cref="Stopwatch"/> timestamp), or 0 when it is not ejected.</summary>
    public long EjectedUntil => IsEjected ? Volatile.Read(ref _ejectedUntil) : 0;

    /// <summary>Ejections since the detector started.</summary>
    public long Ejections => Volatile.Read(ref _ejections);

    /// <summary>Ejections not made because the cluster's <c>max_ejection_percent</c> was reached.</summary>
    public long Capped => Volatile.Read(ref _capped);

    /// <summary>Failed attempts in a row now.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutive);

    public void OnAttempt(DestinationState destination, AttemptResult result, long timestamp)
    {
        if (result == AttemptResult.NotJudged) return;
        if (!result.IsFailure())
        {
            // Only a write when there is something to reset: successes leave the cache line shared.
            if (Volatile.Read(ref _consecutive) != 0) Volatile.Write(ref _consecutive, 0);
            return;
        }
        if (Interlocked.Increment(ref _consecutive) >= Policy.ConsecutiveFailures && Volatile.Read(ref _state) == In) Eject(timestamp);
    }

    private void Eject(long timestamp)
    {
        if (_disposed || Interlocked.CompareExchange(ref _state, Ejected, In) != In) return;
        if (!_budget.TryTake())
        {
            Volatile.Write(ref _state, In);
            Interlocked.Increment(ref _capped);
            return;
        }
        if (_returnedAt != 0 && timestamp - _returnedAt > Policy.MaxEjection.TotalSeconds * Stopwatch.Frequency) _streak = 0;
        var duration = Policy.EjectionFor(++_streak);
        Volatile.Write(ref _ejectedUntil, timestamp + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        Interlocked.Increment(ref _ejections);
        _destination.SetDown(DownReasons.Ejected, true);
        _timer.Change(duration, Timeout.InfiniteTimeSpan);
        Log.Warn($"outlier: {_destination.Config.Name} of cluster \"{_cluster}\" ejected for {Configuration.DurationParser.Format(duration)} " +
            $"after {Policy.ConsecutiveFailures} failed attempts in a row (ejection {_streak} in a row)");
        if (_disposed) Release();
    }

    /// <summary>The ejection is over: back into the available sets, with a fresh count.</summary>
    private void Return()
    {
        if (!Release()) return;
        _returnedAt = _time.GetTimestamp();
        Volatile.Write(ref _state, In);
        Log.Notice($"outlier: {_destination.Config.Name} of cluster \"{_cluster}\" returned after its ejection");
    }

    private bool Release()
    {
        if (Interlocked.CompareExchange(ref _state, Leaving, Ejected) != Ejected) return false;
        Volatile.Write(ref _consecutive, 0);
        _destination.SetDown(DownReasons.Ejected, false);
        _budget.Give();
        return true;
    }

    /// <summary>Replaced by a reload that changed <c>outlier</c> (or dropped it): the destination is no longer ejected by it.</summary>
    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
        Release();
    }
}
