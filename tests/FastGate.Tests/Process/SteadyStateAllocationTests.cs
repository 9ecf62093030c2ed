using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The whole gateway process, measured by its own stats line, allocates (almost) nothing per request.</summary>
public partial class SteadyStateAllocationTests
{
#if DEBUG
    // Debug builds compile every async state machine as a class: one object per call, ~1.5 KB per request.
    // The 100 B ceiling is a property of the Release build that ./test.sh runs.
    private const double MaxBytesPerRequest = 4096;
#else
    private const double MaxBytesPerRequest = 100;
#endif

    /// <summary>Timers armed while 16 connections are busy: the pools' sweeps and the stats line, none per connection or request.</summary>
    private const int MaxActiveTimers = 8;

    [GeneratedRegex(@"rate=(\d+)/s .*alloc_per_request=([\d.]+)B.* timers=(\d+)")]
    private static partial Regex StatsLine();

    /// <param name="extraConfig">Features that must cost nothing when they do nothing (tracing on, but no request sampled), or allocate nothing when they do (the access log).</param>
    /// <param name="headers">Extra request headers (a client's unsampled traceparent).</param>
    [Theory]
    [InlineData("", "")]
    [InlineData("[tracing]\nsampler = \"parent_ratio\"\nratio = 0\n", "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00\r\n")]
    // A line per request, formatted and queued for the writer thread ({log} is a temporary file).
    [InlineData("[access_log]\noutput = {log}\n", "User-Agent: load/1.0\r\n")]
    // Cache hits: every request after the first is answered from the stored bytes.
    [InlineData("[routes.all.cache]\ndefault_ttl = \"1h\"\n", "")]
    // A route with a rate limit (never reached), a transform with variables and CORS for an allowed origin.
    [InlineData("[policies.limit]\ntype = \"rate_limit\"\nrate = 1000000\n[policies.tag]\ntype = \"transform\"\n" +
        "request_headers = { set = { \"X-Client\" = \"{client_ip} {route}\" }, remove = [\"X-Debug\"] }\nquery = { set = { via = \"gw\" } }\n" +
        "response_headers = { remove = [\"Server\"] }\n[policies.cors]\ntype = \"cors\"\nallow_origins = [\"https://*.example.com\"]\n" +
        "[routes.load]\npath = \"/load\"\ncluster = \"backend\"\npolicies = [\"limit\", \"tag\", \"cors\"]\n",
        "Origin: https://app.example.com\r\nX-Debug: 1\r\n")]
    // A JWT policy on a token in its validation cache, a claim forwarded, in a transform and keying a rate limit.
    [InlineData("[policies.auth]\ntype = \"jwt\"\nissuer = \"https://id.example.com/\"\naudience = \"api\"\nalgorithms = [\"HS256\"]\n" +
        "secret = \"a-test-secret-of-sixty-four-bytes-so-HS512-accepts-it-0123456789\"\nforward_claims = { sub = \"X-User-Id\" }\n" +
        "[policies.per_user]\ntype = \"rate_limit\"\nkey = \"claim:sub\"\nrate = 1000000\n" +
        "[policies.tag]\ntype = \"transform\"\nrequest_headers = { set = { \"X-Sub\" = \"{claim:sub}\" } }\n" +
        "[routes.load]\npath = \"/load\"\ncluster = \"backend\"\npolicies = [\"auth\", \"per_user\", \"tag\"]\n",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tLyIsImF1ZCI6ImFwaSIsInN1YiI6ImFsaWNlIiwiZXhwIjo0MTAyNDQ0ODAwfQ.2GuUWGHCSHcW2fUWXoYZg9aHwwl-Y0iEUUToK0yxXSs\r\n")]
    public async Task KeepAliveTrafficAllocatesAtMost100BytesPerRequestAndArmsNoTimerPerConnection(string extraConfig, string headers)
    {
        await using var upstream = ScriptedUpstream.Ok("Hello, World!");
        using var log = new LogFile();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "stats_interval = \"1s\"\n" + extraConfig.Replace("{log}", log.Toml));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(() => LoadAsync(gateway.Port, headers, stop.Token))).ToArray();
        var requests = (await Task.WhenAll(clients)).Sum();
        await Task.Delay(1500); // one more stats line

        // Windows under load, after the first three seconds of warm-up (JIT tiering, pool growth).
        var windows = gateway.Lines.Select(l => StatsLine().Match(l)).Where(m => m.Success)
            .Select(m => (Rate: int.Parse(m.Groups[1].Value), Bytes: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                Timers: int.Parse(m.Groups[3].Value)))
            .Where(w => w.Rate > 200).Skip(3).ToList();
        Assert.True(requests > 1000, $"only {requests} requests were proxied");
        Assert.True(windows.Count >= 2, "too few stats windows under load:\n" + string.Join("\n", gateway.Lines));
        var median = windows.Select(w => w.Bytes).Order().ElementAt(windows.Count / 2);
        Assert.True(median <= MaxBytesPerRequest,
            $"median {median} B allocated per request (limit {MaxBytesPerRequest}):\n" + string.Join("\n", gateway.Lines));
        Assert.True(windows.Max(w => w.Timers) <= MaxActiveTimers,
            $"more than {MaxActiveTimers} timers armed under load (a timer per connection or request?):\n" + string.Join("\n", gateway.Lines));
    }

    private static async Task<int> LoadAsync(int port, string headers, CancellationToken stop)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            client.Send($"GET /load HTTP/1.1\r\nHost: test\r\n{headers}\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            count++;
        }
        return count;
    }
}
