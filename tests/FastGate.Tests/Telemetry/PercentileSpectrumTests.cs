using FastGate.Telemetry;

namespace FastGate.Tests.Telemetry;

public class PercentileSpectrumTests
{
    [Fact]
    public void The_spectrum_runs_from_0_to_100_percent_in_halving_steps_and_matches_the_histograms_percentiles()
    {
        var histogram = LatencyHistogramTests.OneToHundredThousand().Collect();
        var spectrum = PercentileSpectrum.Of(histogram);

        Assert.Equal(0, spectrum[0].Percentile);
        Assert.Equal(100, spectrum[^1].Percentile);
        Assert.Equal(histogram.GetValueAtPercentile(100), spectrum[^1].ValueUs);
        for (var i = 1; i < spectrum.Length; i++)
        {
            Assert.True(spectrum[i].Percentile > spectrum[i - 1].Percentile, $"percentiles rise at point {i}");
            Assert.True(spectrum[i].ValueUs >= spectrum[i - 1].ValueUs, $"values do not fall at point {i}");
        }
        // Five steps per halving of the distance to 100 %: 0, 10, ..., 50, 55, ..., 75, 77.5, ..., 87.5, 88.75, ...
        foreach (var percentile in new[] { 10.0, 50, 55, 75, 77.5, 87.5, 93.75 })
        {
            var at = spectrum.Where(p => Math.Abs(p.Percentile - percentile) < 1e-6).ToArray();
            Assert.True(at.Length == 1, $"no single point at {percentile} %: {string.Join(", ", spectrum)}");
            var point = at[0];
            Assert.InRange(point.ValueUs, percentile / 100 * 100_000 * 0.99, percentile / 100 * 100_000 * 1.01);
        }
        Assert.Contains(spectrum, p => p.Percentile > 99.8 && p.Percentile < 100);
    }

    [Fact]
    public void A_run_of_one_value_keeps_only_its_ends()
    {
        var latency = new LatencyHistogram();
        for (var i = 0; i < 1000; i++) latency.Record(500);
        latency.Record(9000);
        var spectrum = PercentileSpectrum.Of(latency.Collect());
        var flat = spectrum.Where(p => p.ValueUs < 1000).ToArray();
        Assert.Equal(2, flat.Length);
        Assert.Equal(0, flat[0].Percentile);
        Assert.True(spectrum[^1].ValueUs >= 9000 && spectrum[^1].Percentile == 100, $"last point {spectrum[^1]}");
    }

    [Fact]
    public void Nothing_recorded_has_no_spectrum() => Assert.Empty(PercentileSpectrum.Of(new LatencyHistogram().Collect()));
}
