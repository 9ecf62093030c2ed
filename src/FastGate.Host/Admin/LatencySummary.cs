using System.Text.Json.Serialization;
using FastGate.Telemetry;

namespace FastGate.Host.Admin;

/// <summary>
/// A latency distribution as <c>/admin/stats</c> shows it: count, mean and the percentile spectrum, in
/// microseconds. <see cref="Spectrum"/>, the points of the classic HDR percentile plot (<see cref="PercentileSpectrum"/>),
/// only where it is asked for (the routes, which the dashboard plots): with all phases of every destination too it
/// would be most of the answer.
/// </summary>
internal sealed record LatencySummary(long Count, double MeanUs, long P50Us, long P90Us, long P99Us, long P999Us, long P9999Us, long MaxUs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpectrumPoint[]? Spectrum)
{
    public static LatencySummary Of(LatencyHistogram latency, bool spectrum = false)
    {
        var h = latency.Collect();
        if (h.TotalCount == 0) return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0, spectrum ? [] : null);
        return new LatencySummary(h.TotalCount, Math.Round(latency.SumMicros / (double)h.TotalCount, 1),
            h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99), h.GetValueAtPercentile(99.9),
            h.GetValueAtPercentile(99.99), h.GetValueAtPercentile(100), spectrum ? PercentileSpectrum.Of(h) : null);
    }

    public static Dictionary<string, LatencySummary> Of(LatencySet set, bool spectrum = false) => new()
    {
        ["total"] = Of(set[LatencyPhase.Total], spectrum),
        ["connect"] = Of(set[LatencyPhase.Connect], spectrum),
        ["first_byte"] = Of(set[LatencyPhase.FirstByte], spectrum),
        ["upstream"] = Of(set[LatencyPhase.Upstream], spectrum),
    };
}
