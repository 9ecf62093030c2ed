using System.Diagnostics;

namespace FastGate.Telemetry.Tracing;

/// <summary>
/// <c>sampler = "rate_limited"</c>: at most <c>rate</c> traced exchanges per second, evenly spaced (GCRA: one
/// theoretical arrival time moved forward with a compare-exchange), whatever the load and the client's flag.
/// </summary>
public sealed class RateLimitedSampler : ISampler
{
    public const string ConfigName = "rate_limited";

    private readonly long _interval;
    private long _next;

    public RateLimitedSampler(double perSecond)
    {
        PerSecond = perSecond;
        _interval = perSecond > 0 ? Math.Max(1, (long)(Stopwatch.Frequency / perSecond)) : long.MaxValue;
        _next = Stopwatch.GetTimestamp();
    }

    public double PerSecond { get; }

    public bool ShouldSample(in TraceParent parent)
    {
        if (PerSecond <= 0) return false;
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            var next = Volatile.Read(ref _next);
            if (now < next) return false;
            // An idle spell does not bank a burst: the next slot starts from now.
            if (Interlocked.CompareExchange(ref _next, now + _interval, next) == next) return true;
        }
    }
}
