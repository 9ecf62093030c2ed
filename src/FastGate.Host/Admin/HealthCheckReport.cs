namespace FastGate.Host.Admin;

/// <summary>One probe of a destination's health history.</summary>
internal sealed record HealthCheckReport(DateTimeOffset Time, bool Ok, string Reason, double LatencyMs);
