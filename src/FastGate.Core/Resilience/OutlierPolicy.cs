namespace FastGate.Resilience;

/// <summary>
/// A cluster's <c>outlier = { consecutive_failures, base_ejection, max_ejection, max_ejection_percent }</c>, as
/// configured: passive health, which ejects a destination after that many failed attempts in a row.
/// </summary>
public sealed record OutlierPolicy(int ConsecutiveFailures, TimeSpan BaseEjection, TimeSpan MaxEjection, int MaxEjectionPercent)
{
    public static readonly OutlierPolicy Default = new(5, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 50);

    /// <summary>How long the <paramref name="ejection"/>-th ejection in a row lasts: base × n, at most max.</summary>
    public TimeSpan EjectionFor(int ejection) =>
        TimeSpan.FromTicks(Math.Min(MaxEjection.Ticks, BaseEjection.Ticks * (long)Math.Max(1, ejection)));
}
