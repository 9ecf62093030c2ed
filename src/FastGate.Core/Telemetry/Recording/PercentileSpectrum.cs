using HdrHistogram;

namespace FastGate.Telemetry;

/// <summary>
/// The points of the classic HDR percentile plot (latency against percentile on a log scale of 1/(1 − p)), as
/// HdrHistogram's percentile output gives them: from 0 % in steps that halve the distance to 100 %, five steps per
/// halving, up to 100 % (the max). Off the hot path: it walks a collected histogram.
/// </summary>
public static class PercentileSpectrum
{
    public const int TicksPerHalfDistance = 5;

    /// <summary>The spectrum of <paramref name="histogram"/>, without the inner points of a run of one value (a flat
    /// line needs only its ends); empty when nothing was recorded.</summary>
    public static SpectrumPoint[] Of(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0) return [];
        var all = new List<SpectrumPoint>();
        foreach (var step in histogram.Percentiles(TicksPerHalfDistance))
            all.Add(new SpectrumPoint(Math.Round(step.PercentileLevelIteratedTo, 6), histogram.HighestEquivalentValue(step.ValueIteratedTo)));
        var kept = new List<SpectrumPoint>(all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            var inner = i > 0 && i < all.Count - 1 && all[i - 1].ValueUs == all[i].ValueUs && all[i + 1].ValueUs == all[i].ValueUs;
            if (!inner) kept.Add(all[i]);
        }
        return [.. kept];
    }
}
