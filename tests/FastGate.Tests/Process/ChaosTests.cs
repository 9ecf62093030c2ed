using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using FastGate.Tests.Integration;
using Xunit.Abstractions;

namespace FastGate.Tests.Process;

/// <summary>
/// Three upstreams under 30 s of continuous load: one killed and restarted, one made slow, one answering 503 in
/// bursts. Health checks, outlier detection, the breaker, retries and a latency-aware balancer keep at least
/// 99.9 % of client requests answered 200, and /admin/upstreams and /metrics show every state change.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Clients = 8;

    /// <summary>Each client's pause between requests: load that is continuous, not one that starves the test's own upstreams of CPU.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Kill_restart_slowness_and_503_bursts_leave_at_least_999_in_1000_requests_answered()
    {
        await using var killed = new ChaosUpstream();
        await using var slow = new ChaosUpstream();
        await using var bursty = new ChaosUpstream();
        using var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = ["{{killed.EndPoint}}", "{{slow.EndPoint}}", "{{bursty.EndPoint}}"]
            balancer = "peak_ewma"
            response_timeout = "2s"
            retry = { attempts = 3, on = ["connect_failure", "reset", "502", "503", "504"], backoff = "5ms", max_backoff = "50ms", budget_percent = 50 }
            [clusters.backend.health]
            interval = "500ms"
            timeout = "500ms"
            unhealthy_threshold = 2
            healthy_threshold = 2
            [clusters.backend.outlier]
            consecutive_failures = 3
            base_ejection = "1s"
            max_ejection = "3s"
            max_ejection_percent = 67
            [clusters.backend.circuit_breaker]
            failure_rate = 50
            window = "2s"
            min_requests = 10
            open_duration = "1s"
            half_open_requests = 2
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            """);
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };

        using var stop = new CancellationTokenSource();
        var seen = new ConcurrentDictionary<string, byte>();
        var watcher = WatchAsync(admin, killed, bursty, seen, stop.Token);
        var counts = new long[2]; // answered 200, anything else
        var failures = new ConcurrentDictionary<string, int>(); // what the others were, and when
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(() => LoadAsync(gateway.Port, counts, failures, clock, stop.Token))).ToArray();

        await At(4, clock); await killed.KillAsync();
        await At(8, clock); slow.DelayMilliseconds = 150;
        await At(10, clock); bursty.Status = 503;
        await At(13, clock); bursty.Status = 200;
        await At(15, clock); killed.Restart();
        await At(20, clock); slow.DelayMilliseconds = 0;
        await At(22, clock); bursty.Status = 503;
        await At(24, clock); bursty.Status = 200;
        await At(Load.TotalSeconds, clock);
        stop.Cancel();
        await Task.WhenAll(clients);
        await watcher;

        var (ok, failed) = (Interlocked.Read(ref counts[0]), Interlocked.Read(ref counts[1]));
        output.WriteLine($"{ok} answered 200, {failed} not ({100.0 * failed / Math.Max(1, ok + failed):F3} %): "
            + string.Join(", ", failures.OrderBy(f => f.Key).Select(f => $"{f.Key}: {f.Value}"))
            + $"; served by the killed, slow and bursting upstreams: {killed.Served}, {slow.Served}, {bursty.Served}; seen: {string.Join(", ", seen.Keys)}");
        Assert.True(ok > 1000, $"only {ok} requests answered in {Load.TotalSeconds} s");
        Assert.True(failed * 1000 <= ok + failed, $"{failed} of {ok + failed} requests failed (more than 0.1 %): "
            + string.Join(", ", failures.OrderBy(f => f.Key).Select(f => $"{f.Key}: {f.Value}"))
            + "\nthe gateway said:\n" + string.Join("\n", gateway.Lines.Take(60)));
        Assert.True(killed.Served > 0 && slow.Served > 0 && bursty.Served > 0, "every upstream served some requests");

        // Each state change as the admin API showed it while it lasted ...
        Assert.Contains($"{killed.EndPoint} unhealthy", seen.Keys);
        Assert.Contains($"{killed.EndPoint} healthy again", seen.Keys);
        Assert.True(seen.ContainsKey($"{bursty.EndPoint} ejected") || seen.ContainsKey($"{bursty.EndPoint} breaker open"),
            "the bursting upstream was neither ejected nor its breaker opened: " + string.Join(", ", seen.Keys));
        var slowRow = await DestinationAsync(admin, slow.EndPoint);
        Assert.True(slowRow.GetProperty("latency").GetProperty("upstream").GetProperty("max_us").GetInt64() >= 150_000, "the slow phase shows in its latency");

        // ... and as counters in /metrics.
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.True(Sample(metrics, "fastgate_health_transitions_total", killed.EndPoint, "to=\"unhealthy\"") >= 1);
        Assert.True(Sample(metrics, "fastgate_health_transitions_total", killed.EndPoint, "to=\"healthy\"") >= 1);
        Assert.True(Sample(metrics, "fastgate_outlier_ejections_total", bursty.EndPoint) + Sample(metrics, "fastgate_circuit_breaker_transitions_total", bursty.EndPoint, "to=\"open\"") >= 1,
            "no ejection or breaker opening of the bursting upstream in /metrics");
        Assert.True(Sample(metrics, "fastgate_upstream_retries_total", null) >= 1, "failed attempts were retried");
    }

    private static async Task At(double seconds, Stopwatch clock)
    {
        var wait = TimeSpan.FromSeconds(seconds) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }

    /// <summary>One client: GETs over a keep-alive connection until stopped, reconnecting when the gateway closes it.</summary>
    private static async Task LoadAsync(int port, long[] counts, ConcurrentDictionary<string, int> failures, Stopwatch clock, CancellationToken stop)
    {
        var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, port));
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    client.Send($"GET /chaos/{i} HTTP/1.1\r\nHost: chaos\r\n\r\n");
                    var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
                    Interlocked.Increment(ref counts[response.Status == 200 ? 0 : 1]);
                    if (response.Status != 200) Failed($"{response.Status} {response.Body.Trim()} (Retry-After {response.Header("Retry-After")})");
                    if (response.Header("Connection") == "close") Reconnect();
                    await Task.Delay(Pause, CancellationToken.None);
                }
                catch (Exception ex) when (ex is EndOfStreamException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref counts[1]);
                    Failed(ex.GetType().Name);
                    Reconnect();
                }
            }
        }
        finally
        {
            client.Dispose();
        }

        void Failed(string what) => failures.AddOrUpdate($"{what} at {(int)clock.Elapsed.TotalSeconds}s", 1, (_, n) => n + 1);

        void Reconnect()
        {
            client.Dispose();
            client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    /// <summary>Polls /admin/upstreams, noting each state it sees the killed and the bursting upstream in.</summary>
    private static async Task WatchAsync(HttpClient admin, ChaosUpstream killed, ChaosUpstream bursty, ConcurrentDictionary<string, byte> seen, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var down = await DestinationAsync(admin, killed.EndPoint);
            var status = down.GetProperty("health").GetProperty("status").GetString();
            if (status == "unhealthy") seen.TryAdd($"{killed.EndPoint} unhealthy", 0);
            else if (status == "healthy" && seen.ContainsKey($"{killed.EndPoint} unhealthy")) seen.TryAdd($"{killed.EndPoint} healthy again", 0);
            var sick = await DestinationAsync(admin, bursty.EndPoint);
            if (sick.GetProperty("outlier").GetProperty("ejected").GetBoolean()) seen.TryAdd($"{bursty.EndPoint} ejected", 0);
            if (sick.GetProperty("circuit_breaker").GetProperty("state").GetString() == "open") seen.TryAdd($"{bursty.EndPoint} breaker open", 0);
            try { await Task.Delay(25, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static async Task<JsonElement> DestinationAsync(HttpClient admin, IPEndPoint upstream)
    {
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/admin/upstreams"));
        return document.RootElement.EnumerateArray().Single(d => d.GetProperty("address").GetString() == upstream.ToString()).Clone();
    }

    /// <summary>The sum of a metric's series for a destination (any destination when null) that carry <paramref name="label"/>.</summary>
    private static double Sample(string metrics, string name, IPEndPoint? destination, string label = "") => metrics.Split('\n')
        .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal)
            && (destination is null || l.Contains($"destination=\"{destination}\"", StringComparison.Ordinal))
            && l.Contains(label, StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
