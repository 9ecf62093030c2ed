using FastGate.Telemetry;

namespace FastGate.Host.Admin;

/// <summary>
/// A latency distribution as <c>/admin/stats</c> shows it: count, mean and the percentile spectrum, in
/// microseconds; <see cref="Spectrum"/> holds the points of the classic HDR percentile plot (<see cref="PercentileSpectrum"/>).
/// </summary>
internal sealed record LatencySummary(long Count, double MeanUs, long P50Us, long P90Us, long P99Us, long P999Us, long P9999Us, long MaxUs,
    SpectrumPoint[] Spectrum)
{
    public static LatencySummary Of(LatencyHistogram latency)
    {
        var h = latency.Collect();
        if (h.TotalCount == 0) return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0, []);
        return new LatencySummary(h.TotalCount, Math.Round(latency.SumMicros / (double)h.TotalCount, 1),
            h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99), h.GetValueAtPercentile(99.9),
            h.GetValueAtPercentile(99.99), h.GetValueAtPercentile(100), PercentileSpectrum.Of(h));
    }

    public static Dictionary<string, LatencySummary> Of(LatencySet set) => new()
    {
        ["total"] = Of(set[LatencyPhase.Total]),
        ["connect"] = Of(set[LatencyPhase.Connect]),
        ["first_byte"] = Of(set[LatencyPhase.FirstByte]),
        ["upstream"] = Of(set[LatencyPhase.Upstream]),
    };
}
