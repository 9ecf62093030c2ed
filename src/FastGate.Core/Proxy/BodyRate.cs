using FastGate.Deadlines;

namespace FastGate.Proxy;

/// <summary>
/// The slowest a request body may arrive (Kestrel's MinRequestBodyDataRate): after <see cref="Grace"/> of waiting,
/// at least <see cref="BytesPerSecond"/> for each second spent waiting for it. Only time spent waiting on the client
/// counts, not time the gateway itself was held up by the upstream. The default value checks nothing.
/// </summary>
internal readonly record struct BodyRate(int BytesPerSecond, TimeSpan Grace, RelayProgress? Progress)
{
    public bool IsSet => BytesPerSecond > 0 && Progress is not null;

    /// <summary>How long the next wait may last before the body is too slow, having <paramref name="bytes"/> so far.</summary>
    public TimeSpan Allowance(long bytes)
    {
        var earned = Math.Max((long)Grace.TotalMilliseconds, bytes * 1000 / BytesPerSecond);
        return TimeSpan.FromMilliseconds(Math.Max(0, earned - Progress!.WaitedMs));
    }

    /// <summary>Starts a wait: the read deadline is the idle timeout or the rate's allowance, whichever is sooner.</summary>
    public TimeSpan StartWait(TimeSpan idle, long bytes)
    {
        Progress!.WaitStartedAt = Heartbeat.Now;
        var allowance = Allowance(bytes);
        return idle == Timeout.InfiniteTimeSpan || allowance < idle ? allowance : idle;
    }

    public void EndWait()
    {
        var progress = Progress!;
        if (progress.WaitStartedAt == 0) return;
        progress.WaitedMs += Heartbeat.Now - progress.WaitStartedAt;
        progress.WaitStartedAt = 0;
    }
}
