using System.Diagnostics;

namespace FastGate.Telemetry.Logging;

/// <summary>Microseconds between two <see cref="Stopwatch"/> timestamps of an exchange.</summary>
internal static class ExchangeTimes
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    public static long Micros(long from, long to) => to <= from ? 0 : (long)((to - from) / TicksPerMicrosecond);
}
