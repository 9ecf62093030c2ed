namespace FastGate.Telemetry;

/// <summary>One point of a latency percentile spectrum: <see cref="Percentile"/> % of the values are at or below <see cref="ValueUs"/> microseconds.</summary>
public readonly record struct SpectrumPoint(double Percentile, long ValueUs);
