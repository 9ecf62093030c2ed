using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FastGate.Balancing;
using FastGate.Health;
using FastGate.Tests.Integration;
using FastGate.Upstreams;

namespace FastGate.Tests.Health;

/// <summary>Active health checks against real sockets: thresholds, history, the HTTP and TCP probes, timeouts, reloads.</summary>
public sealed class HealthCheckTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    internal static readonly HealthCheckPolicy Fast = new()
    {
        Interval = TimeSpan.FromMilliseconds(50), Jitter = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(2),
        HealthyThreshold = 2, UnhealthyThreshold = 3,
    };

    private readonly UpstreamRuntime _runtime = new(Timeout.InfiniteTimeSpan);

    public void Dispose() => _runtime.Dispose();

    internal static Cluster Probed(string name, HealthCheckPolicy? policy, params IPEndPoint[] destinations) =>
        new(name, [.. destinations.Select(d => new Destination(d.ToString(), d))], RoundRobinBalancer.ConfigName, new ClusterOptions()) { Health = policy };

    internal static async Task Until(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"never saw {what}");
            await Task.Delay(10);
        }
    }

    private static (int Failures, int Passes, HealthCheckRecord[] History) At(DestinationHealth health) =>
        (health.ConsecutiveFailures, health.ConsecutivePasses, health.History.ToArray());

    [Fact]
    public async Task Status_changes_after_exactly_the_thresholds_and_each_change_is_published_once()
    {
        await using var upstream = new HealthEndpoint();
        var cluster = Probed("api", Fast, upstream.EndPoint);
        _runtime.Bind([cluster]);
        var state = cluster.DestinationStates[0];
        var health = state.Health!;
        var seen = new ConcurrentQueue<(HealthTransition Transition, (int Failures, int Passes, HealthCheckRecord[] History) Then)>();
        _runtime.Health.Transitioned += t => seen.Enqueue((t, At(health)));
        Assert.Equal(HealthStatus.Healthy, health.Status); // healthy until probes fail, as Envoy without a first-check wait
        await Until(() => health.ChecksOk >= 2, "two passing probes");

        upstream.Then(2, 503); // one short of the threshold
        await Until(() => health.ChecksFailed == 2 && health.ConsecutivePasses >= 1, "two failures, then a pass");
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Empty(seen);
        Assert.Equal([state], cluster.State.Available);

        upstream.Default = (503, ""); // from here on it fails between the scripted answers: no stray pass
        upstream.Then(3, 503);
        await Until(() => seen.Count == 1, "the change to unhealthy");
        var (down, then) = seen.Single();
        Assert.Equal((HealthStatus.Healthy, HealthStatus.Unhealthy, "api", "status 503"), (down.From, down.To, down.Cluster, down.Reason));
        Assert.Equal(3, then.Failures);
        Assert.Equal([false, false, false], then.History[^3..].Select(r => r.Ok));
        Assert.True(then.History[^4].Ok);
        Assert.Equal(DownReasons.Unhealthy, state.Down);
        Assert.Empty(cluster.State.Available);

        var ok = health.ChecksOk;
        upstream.Then(1, 200); // one pass of the two needed, then failures again
        await Until(() => health.ChecksOk == ok + 1 && health.ConsecutiveFailures >= 1, "a lone pass followed by a failure");
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Single(seen);

        upstream.Default = (200, "ok");
        await Until(() => seen.Count == 2, "the change back to healthy");
        var (up, after) = seen.Last();
        Assert.Equal((HealthStatus.Unhealthy, HealthStatus.Healthy), (up.From, up.To));
        Assert.Equal(2, after.Passes);
        Assert.Equal(DownReasons.None, state.Down);
        Assert.Equal([state], cluster.State.Available);
        Assert.Equal((1, 1), (health.BecameUnhealthy, health.BecameHealthy));
        Assert.Equal(up.Time, health.Since);
    }

    [Fact]
    public async Task The_history_keeps_the_last_probes_with_time_result_reason_and_latency_and_the_request_is_minimal_http_1_1()
    {
        await using var upstream = new HealthEndpoint();
        var cluster = Probed("api", Fast with { Interval = TimeSpan.FromMilliseconds(10), Jitter = TimeSpan.Zero }, upstream.EndPoint);
        var started = DateTimeOffset.UtcNow;
        _runtime.Bind([cluster]);
        var health = cluster.DestinationStates[0].Health!;
        await Until(() => health.ChecksOk >= HealthHistory.Capacity + 8, "more probes than the history keeps");

        var history = health.History.ToArray();
        Assert.Equal(HealthHistory.Capacity, history.Length);
        Assert.All(history, r => Assert.Equal((true, "status 200"), (r.Ok, r.Reason)));
        Assert.All(history, r => Assert.InRange(r.Latency, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(2)));
        Assert.All(history, r => Assert.InRange(r.Time, started, DateTimeOffset.UtcNow));
        Assert.Equal(history.Select(r => r.Time).Order(), history.Select(r => r.Time));

        Assert.True(upstream.ProbeHeads.TryPeek(out var head));
        Assert.Equal($"GET /healthz HTTP/1.1\r\nHost: {upstream.EndPoint}\r\nUser-Agent: {HttpHealthProbe.UserAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n", head);
    }

    [Fact]
    public async Task The_method_path_and_host_are_configurable()
    {
        await using var upstream = new HealthEndpoint(path: "/ready");
        _runtime.Bind([Probed("api", Fast with { Method = "HEAD", Path = "/ready", Host = "api.internal" }, upstream.EndPoint)]);
        await Until(() => upstream.Probes > 0, "a probe");
        Assert.True(upstream.ProbeHeads.TryPeek(out var head));
        Assert.StartsWith("HEAD /ready HTTP/1.1\r\nHost: api.internal\r\n", head);
    }

    [Theory]
    [InlineData(200, 200, 204, "", "", false, "status 204")]
    [InlineData(200, 399, 302, "", "", true, "status 302")]
    [InlineData(200, 399, 500, "", "", false, "status 500")]
    [InlineData(200, 399, 200, "all ready now", "ready", true, "status 200, body matched")]
    [InlineData(200, 399, 200, "starting", "ready", false, "status 200, body lacks \"ready\"")]
    [InlineData(200, 399, 503, "ready", "ready", false, "status 503")]
    public async Task Expect_status_and_expect_body_decide_a_probe(int min, int max, int status, string body, string expect, bool ok, string reason)
    {
        await using var upstream = new HealthEndpoint();
        upstream.Default = (status, body);
        var cluster = Probed("api", Fast with { StatusMin = min, StatusMax = max, ExpectBody = expect }, upstream.EndPoint);
        _runtime.Bind([cluster]);
        var health = cluster.DestinationStates[0].Health!;
        await Until(() => health.History.ToArray().Length > 0, "a probe");
        Assert.Equal((ok, reason), (health.History.ToArray()[0].Ok, health.History.ToArray()[0].Reason));
    }

    [Fact]
    public async Task A_tcp_check_passes_on_connect_and_takes_a_closed_port_out()
    {
        await using var open = new HealthEndpoint();
        using var refusing = new RefusingPort();
        var closed = refusing.EndPoint;
        var tcp = Fast with { Type = TcpHealthProbe.ConfigName, UnhealthyThreshold = 2 };
        var cluster = Probed("api", tcp, open.EndPoint, closed);
        _runtime.Bind([cluster]);
        var (up, down) = (cluster.DestinationStates[0], cluster.DestinationStates[1]);
        await Until(() => down.Health!.Status == HealthStatus.Unhealthy, "the closed port unhealthy");
        Assert.Equal([up], cluster.State.Available);
        Assert.All(down.Health!.History.ToArray(), r => Assert.Equal((false, "refused"), (r.Ok, r.Reason)));
        await Until(() => up.Health!.ChecksOk >= 2, "the open port's probes");
        Assert.Equal((true, "connected"), (up.Health!.History.ToArray()[0].Ok, up.Health!.History.ToArray()[0].Reason));
        Assert.Equal(HealthStatus.Healthy, up.Health!.Status);
        Assert.Equal(0, open.Probes + open.Requests); // a TCP check sends nothing
    }

    [Fact]
    public async Task A_probe_that_gets_no_answer_fails_at_its_timeout()
    {
        await using var upstream = new HealthEndpoint { Hang = true };
        var timeout = TimeSpan.FromMilliseconds(150);
        var cluster = Probed("api", Fast with { Timeout = timeout, UnhealthyThreshold = 1 }, upstream.EndPoint);
        _runtime.Bind([cluster]);
        var health = cluster.DestinationStates[0].Health!;
        await Until(() => health.Status == HealthStatus.Unhealthy, "unhealthy after a timeout");
        var record = health.History.ToArray()[0];
        Assert.Equal((false, "timeout"), (record.Ok, record.Reason));
        // Timers may fire a tick early; a loaded machine may run the cancellation late.
        Assert.InRange(record.Latency, timeout - TimeSpan.FromMilliseconds(20), timeout + TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task A_reload_keeps_the_prober_and_status_while_the_policy_is_unchanged_restarts_it_when_not_and_stops_it_when_health_goes()
    {
        await using var upstream = new HealthEndpoint();
        upstream.Default = (503, "");
        var first = Probed("api", Fast with { UnhealthyThreshold = 1 }, upstream.EndPoint);
        _runtime.Bind([first]);
        var state = first.DestinationStates[0];
        var health = state.Health!;
        await Until(() => health.Status == HealthStatus.Unhealthy, "unhealthy");
        var prober = _runtime.Health.ProberOf(state);

        var same = Probed("api", Fast with { UnhealthyThreshold = 1 }, upstream.EndPoint);
        _runtime.Bind([same]);
        Assert.Same(state, same.DestinationStates[0]);
        Assert.Same(prober, _runtime.Health.ProberOf(state));
        Assert.Same(health, state.Health);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Empty(same.State.Available);

        var changed = Probed("api", Fast with { UnhealthyThreshold = 2 }, upstream.EndPoint);
        var failed = health.ChecksFailed;
        _runtime.Bind([changed]);
        Assert.NotSame(prober, _runtime.Health.ProberOf(state));
        Assert.Same(health, state.Health); // status, history and counts carry over
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Equal(2, health.Policy.UnhealthyThreshold);
        await Until(() => health.ChecksFailed > failed, "the new prober probing");

        _runtime.Bind([Probed("api", null, upstream.EndPoint)]);
        Assert.Null(_runtime.Health.ProberOf(state));
        Assert.Null(state.Health);
        Assert.Equal([state], _runtime.TryGetCluster("api", out var api) ? api.Available : []);

        _runtime.Bind([Probed("api", Fast, upstream.EndPoint)]);
        Assert.Equal(1, _runtime.Health.Count);
        using var refusing = new RefusingPort();
        _runtime.Bind([Probed("api", Fast, refusing.EndPoint)]);
        Assert.Null(_runtime.Health.ProberOf(state)); // retired: no longer probed
        Assert.Equal(1, _runtime.Health.Count);
    }

    [Fact]
    public async Task A_destination_two_clusters_share_is_probed_once_under_the_first_cluster_by_name()
    {
        await using var upstream = new HealthEndpoint();
        var web = Probed("web", Fast with { Path = "/web" }, upstream.EndPoint);
        var api = Probed("api", Fast, upstream.EndPoint);
        _runtime.Bind([web, api]);
        Assert.Same(web.DestinationStates[0], api.DestinationStates[0]);
        Assert.Equal(1, _runtime.Health.Count);
        Assert.Equal(("api", "/healthz"), (api.DestinationStates[0].Health!.Cluster, api.DestinationStates[0].Health!.Policy.Path));
        await Until(() => upstream.Probes > 0, "a probe");
    }
}
