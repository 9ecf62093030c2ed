namespace FastGate.Health;

/// <summary>One entry of a destination's <see cref="HealthHistory"/>: when a probe ended, its result and how long it took.</summary>
public readonly record struct HealthCheckRecord(DateTimeOffset Time, bool Ok, string Reason, TimeSpan Latency);
