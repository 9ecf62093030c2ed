using System.Diagnostics;
using FastGate.Resilience;

namespace FastGate.Tests.Resilience;

/// <summary>The breaker's bucketed window, with timestamps chosen by the test.</summary>
public class FailureWindowTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void The_window_slides_by_tenths_and_clear_forgets_everything()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(10));
        var start = 1_000 * Second;
        for (var s = 0; s < 10; s++) window.Record(start + s * Second, failed: s % 2 == 0);
        window.Read(start + 9 * Second, out var requests, out var failures);
        Assert.Equal((10, 5), (requests, failures));

        window.Read(start + 10 * Second, out requests, out failures); // the first second has left the window
        Assert.Equal((9, 4), (requests, failures));
        window.Record(start + 10 * Second, failed: true); // reuses the first bucket
        window.Read(start + 10 * Second, out requests, out failures);
        Assert.Equal((10, 5), (requests, failures));
        window.Read(start + 30 * Second, out requests, out failures);
        Assert.Equal((0, 0), (requests, failures));

        window.Clear();
        window.Read(start + 10 * Second, out requests, out failures);
        Assert.Equal((0, 0), (requests, failures));
    }

    [Fact]
    public void Concurrent_records_are_all_counted()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(10));
        var now = Stopwatch.GetTimestamp();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 50_000; i++) window.Record(now, failed: i % 4 == 0);
        });
        window.Read(now, out var requests, out var failures);
        Assert.Equal((200_000, 50_000), (requests, failures));
    }
}
