using System.Diagnostics;
using System.Text;
using FastGate.Proxy;
using FastGate.Resilience;
using FastGate.Upstreams;
using static FastGate.Tests.Upstreams.UpstreamRuntimeTests;

namespace FastGate.Tests.Resilience;

/// <summary>The circuit breaker's states as bound by the runtime, driven with a manual clock.</summary>
public sealed class CircuitBreakerTests : IDisposable
{
    private static readonly CircuitBreakerPolicy Policy = new(50, TimeSpan.FromSeconds(10), 4, TimeSpan.FromSeconds(5), 2);
    private readonly ManualTimeProvider _clock = new();
    private readonly UpstreamRuntime _runtime;

    public CircuitBreakerTests() => _runtime = new UpstreamRuntime(Timeout.InfiniteTimeSpan) { Time = _clock };

    public void Dispose() => _runtime.Dispose();

    private static Cluster Guarded(CircuitBreakerPolicy policy, params int[] ports)
    {
        var plain = Cluster("api", [.. ports.Select(Port)]);
        return new Cluster(plain.Name, plain.Destinations, plain.BalancerName, plain.Options) { CircuitBreaker = policy };
    }

    private void Report(DestinationState destination, params AttemptResult[] results)
    {
        foreach (var result in results) destination.ReportAttempt(result, _clock.GetTimestamp());
    }

    private static CircuitBreaker BreakerOf(DestinationState destination) => BreakerRetryAfter.BreakerOf(destination)!;

    [Fact]
    public void Closed_opens_at_the_failure_rate_then_half_open_admits_only_its_trials_which_close_it_or_open_it_again()
    {
        var cluster = Guarded(Policy, 9001, 9002);
        _runtime.Bind([cluster]);
        var destination = cluster.DestinationStates[0];
        var breaker = BreakerOf(destination);
        const AttemptResult ok = AttemptResult.Success, failed = AttemptResult.ServerError;

        Report(destination, ok, failed, failed); // 2 of 3 failed, but fewer than min_requests
        Assert.Equal(CircuitState.Closed, breaker.State);
        Report(destination, ok, ok, ok, failed); // 3 of 7
        Assert.Equal(CircuitState.Closed, breaker.State);
        Report(destination, failed); // 4 of 8: 50 %
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(DownReasons.BreakerOpen, destination.Down);
        Assert.Equal([cluster.DestinationStates[1]], cluster.State.Available);

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(destination.IsUp);
        Assert.Equal([true, true, false, false], [destination.TryAdmit(), destination.TryAdmit(), destination.TryAdmit(), destination.TryAdmit()]);
        Report(destination, ok);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(destination.TryAdmit()); // a success does not free a place: the trials are counted, not concurrent
        Report(destination, ok);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(destination.TryAdmit());
        Assert.Equal((0, 0), breaker.WindowCounts(_clock.GetTimestamp())); // the failures that opened it are forgotten

        Report(destination, failed, failed, failed, failed);
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(destination.TryAdmit());
        Report(destination, AttemptResult.NotJudged); // the client left: its place goes to another trial
        Assert.True(destination.TryAdmit());
        Report(destination, AttemptResult.Timeout);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(destination.IsUp);

        Assert.Equal((2, 2, 1), (breaker.TransitionsTo(CircuitState.Open) - 1, breaker.TransitionsTo(CircuitState.HalfOpen), breaker.TransitionsTo(CircuitState.Closed)));
    }

    [Fact]
    public void Failures_older_than_the_window_do_not_count()
    {
        var cluster = Guarded(Policy, 9001);
        _runtime.Bind([cluster]);
        var destination = cluster.DestinationStates[0];
        Report(destination, AttemptResult.ServerError, AttemptResult.ServerError, AttemptResult.ServerError);
        _clock.Advance(TimeSpan.FromSeconds(11));
        Report(destination, AttemptResult.Success, AttemptResult.Success, AttemptResult.Success, AttemptResult.ServerError);
        Assert.Equal(CircuitState.Closed, BreakerOf(destination).State);
        Assert.Equal((4, 1), BreakerOf(destination).WindowCounts(_clock.GetTimestamp()));
    }

    [Fact]
    public void With_every_breaker_open_retry_after_names_the_seconds_until_the_first_goes_half_open()
    {
        var cluster = Guarded(Policy with { OpenDuration = TimeSpan.FromSeconds(30) }, 9001, 9002);
        _runtime.Bind([cluster]);
        var (first, second) = (cluster.DestinationStates[0], cluster.DestinationStates[1]);
        var response = new LocalResponse();
        var now = _clock.GetTimestamp();

        Report(first, Enumerable.Repeat(AttemptResult.ConnectFailure, 4).ToArray());
        Assert.False(BreakerRetryAfter.TryAdd(response, cluster.State, now)); // one is still closed
        _clock.Advance(TimeSpan.FromSeconds(12.5));
        Report(second, Enumerable.Repeat(AttemptResult.ConnectFailure, 4).ToArray());
        Assert.Empty(cluster.State.Available);

        Assert.True(BreakerRetryAfter.TryAdd(response, cluster.State, _clock.GetTimestamp()));
        Assert.Equal("Retry-After: 18\r\n", Headers(response)); // the first opened 12.5 s ago: 17.5 s left, rounded up
        _clock.Advance(TimeSpan.FromSeconds(17.5));
        Assert.Equal(CircuitState.HalfOpen, BreakerOf(first).State);
        first.TryAdmit();
        first.TryAdmit();
        var halfOpen = new LocalResponse();
        Assert.True(BreakerRetryAfter.TryAdd(halfOpen, cluster.State, _clock.GetTimestamp()));
        Assert.Equal("Retry-After: 1\r\n", Headers(halfOpen));
    }

    private static string Headers(LocalResponse response)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        response.Headers.WriteTo(output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }
}
