using System.Diagnostics;
using System.Text;
using FastGate.Telemetry.Tracing;

namespace FastGate.Tests.Telemetry.Tracing;

public class SamplerTests
{
    private static TraceParent Parent(bool sampled, ActivityTraceId? trace = null)
    {
        var text = $"00-{(trace ?? ActivityTraceId.CreateRandom()).ToHexString()}-00f067aa0ba902b7-{(sampled ? "01" : "00")}";
        Assert.True(TraceParent.TryParse(Encoding.ASCII.GetBytes(text), out var parent));
        return parent;
    }

    [Fact]
    public void Always_and_never_ignore_the_parent()
    {
        Assert.True(new AlwaysSampler().ShouldSample(default));
        Assert.True(new AlwaysSampler().ShouldSample(Parent(sampled: false)));
        Assert.False(NeverSampler.Instance.ShouldSample(Parent(sampled: true)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Ratio_samples_that_fraction_with_or_without_a_parent(double ratio)
    {
        var sampler = new RatioSampler(ratio);
        const int n = 20_000;
        var roots = Enumerable.Range(0, n).Count(_ => sampler.ShouldSample(default));
        var children = Enumerable.Range(0, n).Count(_ => sampler.ShouldSample(Parent(sampled: true)));
        Assert.InRange(roots, n * ratio - n * 0.02, n * ratio + n * 0.02);
        Assert.InRange(children, n * ratio - n * 0.02, n * ratio + n * 0.02);
    }

    [Fact]
    public void Ratio_decides_the_same_for_the_same_trace_id()
    {
        var sampler = new RatioSampler(0.5);
        for (var i = 0; i < 100; i++)
        {
            var trace = ActivityTraceId.CreateRandom();
            Assert.Equal(sampler.ShouldSample(Parent(true, trace)), sampler.ShouldSample(Parent(false, trace)));
        }
    }

    [Fact]
    public void Parent_ratio_follows_the_parents_flag_and_uses_the_ratio_for_roots()
    {
        var sampler = new ParentRatioSampler(0);
        Assert.True(sampler.ShouldSample(Parent(sampled: true)));
        Assert.False(sampler.ShouldSample(Parent(sampled: false)));
        Assert.False(sampler.ShouldSample(default));
        Assert.True(new ParentRatioSampler(1).ShouldSample(default));
    }

    [Fact]
    public void Rate_limited_holds_its_rate_under_concurrent_load()
    {
        var sampler = new RateLimitedSampler(50);
        var sampled = 0;
        var offered = 0L;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, 4, _ =>
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(2))
            {
                Interlocked.Increment(ref offered);
                if (sampler.ShouldSample(default)) Interlocked.Increment(ref sampled);
            }
        });
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.True(offered > 100_000, $"only {offered} decisions were offered");
        // At most one per 20 ms, whatever the load (the promise); at least a good share of those slots taken, though
        // a loaded test machine may leave all four threads unscheduled for part of the 2 s (seen: fewer than 80).
        Assert.InRange(sampled, 40, 50 * seconds + 1);
    }

    [Fact]
    public void Rate_limited_at_zero_samples_nothing() => Assert.False(new RateLimitedSampler(0).ShouldSample(default));
}
