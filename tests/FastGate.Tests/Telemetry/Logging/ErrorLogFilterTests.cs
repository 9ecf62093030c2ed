using FastGate.Configuration;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Telemetry.Logging;

namespace FastGate.Tests.Telemetry.Logging;

/// <summary>Lines below the level, or over the rate, cost the exchange no allocation.</summary>
public class ErrorLogFilterTests
{
    private static readonly ErrorEvent Rejected = new(ErrorEventKind.RequestRejected, ErrorLogLevel.Info, [], 400,
        RequestRejections.ReasonBytes[(int)RequestRejection.InvalidHeaderLine], null) { KindIndex = (int)RequestRejection.InvalidHeaderLine };

    [Fact]
    public void A_line_below_the_level_allocates_nothing()
    {
        using var log = new ErrorLog(ErrorLogOptions.Default with { Output = "stdout" });
        var context = new ExchangeContext();
        log.Write(Rejected, context);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) log.Write(Rejected, context);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_rate_limit_lets_ten_a_second_through_and_allocates_nothing_for_the_rest()
    {
        var limiter = new LogRateLimiter();
        var admitted = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var second = Environment.TickCount64 / 1000;
        for (var i = 0; i < 1000; i++) if (limiter.Admit(Rejected)) admitted++;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Unless the loop straddled a second boundary, exactly ten got through.
        if (Environment.TickCount64 / 1000 == second) Assert.Equal(LogRateLimiter.PerSecond, admitted);
        Assert.Equal(1000 - admitted, limiter.Suppressed);
        Assert.Equal(0, allocated);

        // Another kind has a budget of its own.
        Assert.True(limiter.Admit(Rejected with { KindIndex = (int)RequestRejection.BareLineFeed }));
    }
}
