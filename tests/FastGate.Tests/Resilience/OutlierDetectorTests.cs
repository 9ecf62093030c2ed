using FastGate.Resilience;
using FastGate.Upstreams;
using static FastGate.Tests.Upstreams.UpstreamRuntimeTests;

namespace FastGate.Tests.Resilience;

/// <summary>Outlier detection as bound by the runtime, driven with a manual clock: ejection, its length, its cap, reloads.</summary>
public sealed class OutlierDetectorTests : IDisposable
{
    private static readonly OutlierPolicy Policy = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25), 50);
    private readonly ManualTimeProvider _clock = new();
    private readonly UpstreamRuntime _runtime;

    public OutlierDetectorTests() => _runtime = new UpstreamRuntime(Timeout.InfiniteTimeSpan) { Time = _clock };

    public void Dispose() => _runtime.Dispose();

    private static Cluster Watched(string name, OutlierPolicy policy, params int[] ports)
    {
        var plain = Cluster(name, [.. ports.Select(Port)]);
        return new Cluster(plain.Name, plain.Destinations, plain.BalancerName, plain.Options) { Outlier = policy };
    }

    private void Fail(DestinationState destination, int times, AttemptResult result = AttemptResult.ServerError)
    {
        for (var i = 0; i < times; i++) destination.ReportAttempt(result, _clock.GetTimestamp());
    }

    private static OutlierDetector DetectorOf(DestinationState destination) => destination.Monitors.OfType<OutlierDetector>().Single();

    [Theory]
    [InlineData(AttemptResult.ServerError)]
    [InlineData(AttemptResult.ConnectFailure)]
    [InlineData(AttemptResult.Timeout)]
    [InlineData(AttemptResult.Reset)]
    [InlineData(AttemptResult.InvalidResponse)]
    public void Exactly_consecutive_failures_in_a_row_eject_and_a_success_between_starts_the_count_again(AttemptResult failure)
    {
        var cluster = Watched("api", Policy, 9001, 9002);
        _runtime.Bind([cluster]);
        var (sick, well) = (cluster.DestinationStates[0], cluster.DestinationStates[1]);

        Fail(sick, 2, failure);
        sick.ReportAttempt(AttemptResult.Success, _clock.GetTimestamp());
        sick.ReportAttempt(AttemptResult.NotJudged, _clock.GetTimestamp());
        Fail(sick, 2, failure);
        Assert.False(DetectorOf(sick).IsEjected);
        Assert.Equal(2, DetectorOf(sick).ConsecutiveFailures);
        Fail(sick, 1, failure);
        Assert.True(DetectorOf(sick).IsEjected);
        Assert.Equal(DownReasons.Ejected, sick.Down);
        Assert.Equal([well], cluster.State.Available);
        Assert.Equal(1, DetectorOf(sick).Ejections);
    }

    [Fact]
    public void Each_ejection_in_a_row_lasts_base_times_n_up_to_max_ejection()
    {
        var cluster = Watched("api", Policy, 9001, 9002);
        _runtime.Bind([cluster]);
        var sick = cluster.DestinationStates[0];
        var detector = DetectorOf(sick);

        foreach (var expected in new[] { 10, 20, 25, 25 })
        {
            Fail(sick, 3);
            Assert.True(detector.IsEjected);
            Assert.Equal(_clock.GetTimestamp() + expected * System.Diagnostics.Stopwatch.Frequency, detector.EjectedUntil);
            _clock.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.True(detector.IsEjected);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.False(detector.IsEjected);
            Assert.Equal(DownReasons.None, sick.Down);
            Assert.Equal(cluster.DestinationStates, cluster.State.Available);
            Assert.Equal(0, detector.ConsecutiveFailures); // back with a fresh count: one more failure does not eject
            Fail(sick, 1);
            Assert.False(detector.IsEjected);
            sick.ReportAttempt(AttemptResult.Success, _clock.GetTimestamp());
        }
        Assert.Equal(4, detector.Ejections);

        // Once it has gone max_ejection without an ejection, the next is base_ejection long again.
        _clock.Advance(TimeSpan.FromSeconds(26));
        Fail(sick, 3);
        Assert.Equal(_clock.GetTimestamp() + 10 * System.Diagnostics.Stopwatch.Frequency, detector.EjectedUntil);
    }

    [Fact]
    public void No_more_than_max_ejection_percent_of_the_cluster_is_ejected_at_once()
    {
        var cluster = Watched("api", Policy, 9001, 9002, 9003, 9004, 9005);
        _runtime.Bind([cluster]);
        var members = cluster.DestinationStates;

        foreach (var member in members) Fail(member, 3);
        // 50 % of 5, rounded down: 2.
        Assert.Equal([false, false, true, true, true], [.. members.Select(m => m.IsUp)]);
        Assert.Equal(2, cluster.State.Ejections.Ejected);
        Assert.Equal([0, 0, 1, 1, 1], [.. members.Select(m => DetectorOf(m).Capped)]);
        Assert.Equal(3, cluster.State.Available.Length);

        // When one comes back, the next failure of a capped one ejects it.
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cluster.State.Ejections.Ejected);
        Fail(members[2], 1);
        Assert.False(members[2].IsUp);
        Assert.Equal(1, cluster.State.Ejections.Ejected);
    }

    [Fact]
    public void A_reload_keeps_an_unchanged_detector_with_its_ejection_and_replaces_a_changed_one()
    {
        var first = Watched("api", Policy, 9001, 9002);
        _runtime.Bind([first]);
        var sick = first.DestinationStates[0];
        var detector = DetectorOf(sick);
        Fail(sick, 3);

        var same = Watched("api", Policy with { }, 9001, 9002);
        _runtime.Bind([same]);
        Assert.Same(detector, DetectorOf(sick));
        Assert.True(detector.IsEjected);
        Assert.Equal([same.DestinationStates[1]], same.State.Available);

        var changed = Watched("api", Policy with { ConsecutiveFailures = 4 }, 9001, 9002);
        _runtime.Bind([changed]);
        Assert.NotSame(detector, DetectorOf(sick));
        Assert.Equal(DownReasons.None, sick.Down); // the new detector starts with the destination in
        Assert.Equal(0, changed.State.Ejections.Ejected);
        Assert.Equal(0, _clock.ArmedTimers); // the old one's timer is gone with it

        var dropped = Cluster("api", Port(9001), Port(9002));
        _runtime.Bind([dropped]);
        Assert.Empty(sick.Monitors);
    }
}
