using System.Diagnostics;

namespace FastGate.Telemetry;

/// <summary>
/// The last <see cref="Capacity"/> readings of a monotonic total, taken about once a second by
/// <see cref="RateSampler"/>, and the rates between them: a window of N seconds is the change over the last N
/// sampling intervals divided by the time that really passed between those two readings (a late tick neither
/// inflates nor deflates the rate), or over all readings when there are fewer. The hot path never comes here.
/// </summary>
public sealed class RequestRate
{
    /// <summary>Readings kept: 60 one-second intervals.</summary>
    public const int Capacity = 61;

    private readonly Lock _lock = new();
    private readonly long[] _timestamps = new long[Capacity];
    private readonly long[] _totals = new long[Capacity];
    private int _newest = -1;
    private int _count;

    /// <summary>Adds a reading of <paramref name="total"/> taken at <paramref name="timestamp"/> (<see cref="Stopwatch"/> ticks);
    /// one not later than the newest is ignored, so an object reached twice in one round is sampled once.</summary>
    public void Sample(long timestamp, long total)
    {
        lock (_lock)
        {
            if (_count > 0 && timestamp <= _timestamps[_newest]) return;
            _newest = (_newest + 1) % Capacity;
            _timestamps[_newest] = timestamp;
            _totals[_newest] = total;
            if (_count < Capacity) _count++;
        }
    }

    /// <summary>Per second over the last <paramref name="seconds"/> intervals (1 to 60); 0 before two readings.</summary>
    public double PerSecond(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(seconds, Capacity);
        lock (_lock)
        {
            var back = Math.Min(seconds, _count - 1);
            return back <= 0 ? 0 : Between(Index(back), _newest);
        }
    }

    /// <summary>The rate of each interval held, oldest first (up to 60 values).</summary>
    public double[] History()
    {
        lock (_lock)
        {
            var rates = new double[Math.Max(0, _count - 1)];
            for (var i = 0; i < rates.Length; i++) rates[i] = Between(Index(rates.Length - i), Index(rates.Length - i - 1));
            return rates;
        }
    }

    /// <summary>The ring index of the reading <paramref name="back"/> places before the newest.</summary>
    private int Index(int back) => (_newest - back + Capacity) % Capacity;

    private double Between(int older, int newer)
    {
        var seconds = (_timestamps[newer] - _timestamps[older]) / (double)Stopwatch.Frequency;
        return Math.Max(0, _totals[newer] - _totals[older]) / seconds;
    }
}
