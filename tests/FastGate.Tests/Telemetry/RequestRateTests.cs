using System.Diagnostics;
using FastGate.Telemetry;

namespace FastGate.Tests.Telemetry;

public class RequestRateTests
{
    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>Readings once a second from t = 0: the total after each second is the sum of <paramref name="perSecond"/> so far.</summary>
    private static RequestRate Fed(params long[] perSecond)
    {
        var rate = new RequestRate();
        long total = 0;
        rate.Sample(At(0), 0);
        for (var second = 0; second < perSecond.Length; second++) rate.Sample(At(second + 1), total += perSecond[second]);
        return rate;
    }

    [Fact]
    public void Nothing_is_a_rate_before_two_readings()
    {
        var rate = new RequestRate();
        Assert.Equal(0, rate.PerSecond(1));
        rate.Sample(At(1), 500);
        Assert.Equal(0, rate.PerSecond(1));
        Assert.Equal(0, rate.PerSecond(60));
        Assert.Empty(rate.History());
    }

    [Fact]
    public void A_steady_load_reads_the_same_over_every_window_after_the_ring_wrapped()
    {
        var rate = Fed([.. Enumerable.Repeat(100L, 150)]);
        Assert.Equal(100, rate.PerSecond(1), 6);
        Assert.Equal(100, rate.PerSecond(10), 6);
        Assert.Equal(100, rate.PerSecond(60), 6);
        Assert.Equal(60, rate.History().Length);
    }

    [Fact]
    public void Each_window_covers_exactly_its_last_seconds()
    {
        // 50 s at 10/s, then 9 s at 100/s, then 1 s at 1000/s.
        var rate = Fed([.. Enumerable.Repeat(10L, 50), .. Enumerable.Repeat(100L, 9), 1000]);
        Assert.Equal(1000, rate.PerSecond(1), 6);
        Assert.Equal((9 * 100 + 1000) / 10.0, rate.PerSecond(10), 6);
        Assert.Equal((50 * 10 + 9 * 100 + 1000) / 60.0, rate.PerSecond(60), 6);
    }

    [Fact]
    public void The_rate_divides_by_the_time_that_really_passed_between_readings()
    {
        var rate = new RequestRate();
        rate.Sample(At(0), 0);
        rate.Sample(At(1), 100);
        rate.Sample(At(2.5), 250); // a late tick: 150 more in 1.5 s is still 100/s
        Assert.Equal(100, rate.PerSecond(1), 6);
        Assert.Equal(100, rate.PerSecond(10), 6);
        Assert.Equal([100, 100], rate.History());
    }

    [Fact]
    public void A_younger_history_than_the_window_is_averaged_over_what_there_is()
    {
        var rate = Fed(30, 10);
        Assert.Equal(10, rate.PerSecond(1), 6);
        Assert.Equal(20, rate.PerSecond(10), 6);
        Assert.Equal(20, rate.PerSecond(60), 6);
    }

    [Fact]
    public void After_the_load_stops_each_window_decays_to_zero_in_its_own_time()
    {
        var rate = Fed([.. Enumerable.Repeat(100L, 70)]);
        long total = 7000;
        var seconds = 70;
        void Idle(int count)
        {
            for (var i = 0; i < count; i++) rate.Sample(At(++seconds), total);
        }

        Idle(1);
        Assert.Equal(0, rate.PerSecond(1));
        Assert.Equal(90, rate.PerSecond(10), 6);
        Idle(9);
        Assert.Equal(0, rate.PerSecond(10));
        Assert.Equal(100 * 50 / 60.0, rate.PerSecond(60), 6);
        Idle(50);
        Assert.Equal(0, rate.PerSecond(60));
        Assert.All(rate.History(), r => Assert.Equal(0, r));
    }

    [Fact]
    public void A_reading_not_later_than_the_newest_is_ignored()
    {
        var rate = Fed(100);
        rate.Sample(At(1), 5000);   // the same round again (a destination listed by two clusters)
        rate.Sample(At(0.5), 9000); // out of order
        Assert.Equal(100, rate.PerSecond(1), 6);
        Assert.Single(rate.History());
    }

    [Fact]
    public void History_lists_the_rate_of_each_interval_oldest_first()
    {
        var rate = Fed(1, 2, 3, 4);
        Assert.Equal([1, 2, 3, 4], rate.History());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void Windows_outside_one_to_sixty_seconds_are_refused(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestRate().PerSecond(seconds));
}
