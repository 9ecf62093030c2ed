using System.Diagnostics;

namespace FastGate.Tests.Resilience;

/// <summary>
/// A clock that moves only when a test advances it, and whose timers fire then (on the test's thread). It starts at
/// the Stopwatch's time of its creation, so its timestamps are of the scale the gateway gives its monitors.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _advanced;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => _start + Volatile.Read(ref _advanced);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers armed now (not fired, changed to infinite or disposed).</summary>
    public int ArmedTimers
    {
        get { lock (_lock) return _timers.Count(t => t.Due != long.MaxValue); }
    }

    /// <summary>Moves the clock on and fires, in order, every timer due by then (on this thread).</summary>
    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _advanced, (long)(by.TotalSeconds * Stopwatch.Frequency));
        while (true)
        {
            ManualTimer? due;
            lock (_lock) due = _timers.Where(t => t.Due <= GetTimestamp()).MinBy(t => t.Due);
            if (due is null) return;
            due.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock) _timers.Remove(timer);
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public long Due { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (period != Timeout.InfiniteTimeSpan) throw new NotSupportedException("the monitors' timers are one-shot");
            Due = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock.GetTimestamp() + (long)(dueTime.TotalSeconds * Stopwatch.Frequency);
            return true;
        }

        public void Fire()
        {
            Due = long.MaxValue;
            callback(state);
        }

        public void Dispose()
        {
            Due = long.MaxValue;
            clock.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
