using System.Diagnostics;
using FastGate.Resilience;

namespace FastGate.Host.Admin;

/// <summary>A destination's outlier detection in <c>/admin/upstreams</c>; <see cref="EjectedUntil"/> is UTC, null when it is not ejected.</summary>
internal sealed record OutlierReport(bool Ejected, DateTimeOffset? EjectedUntil, long Ejections, long EjectionsCapped, int ConsecutiveFailures)
{
    public static OutlierReport? Of(OutlierDetector? detector)
    {
        if (detector is null) return null;
        var until = detector.EjectedUntil;
        return new OutlierReport(until != 0, until == 0 ? null : UtcAt(until), detector.Ejections, detector.Capped, detector.ConsecutiveFailures);
    }

    /// <summary>The wall-clock time of a <see cref="Stopwatch"/> timestamp.</summary>
    public static DateTimeOffset UtcAt(long timestamp) =>
        DateTimeOffset.UtcNow + TimeSpan.FromSeconds((double)(timestamp - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
}
