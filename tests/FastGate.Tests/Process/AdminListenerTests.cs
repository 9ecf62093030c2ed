using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The admin listener of the shipped binary: health, readiness, the Prometheus scrape and the bearer token.</summary>
public class AdminListenerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Metrics_pass_promtool_and_count_every_request_sent()
    {
        await using var upstream = Upstream();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "");
        var admin = await gateway.AdminAsync();
        const int gets = 37, posts = 5;
        using (var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port)))
        {
            for (var i = 0; i < gets; i++)
            {
                client.Send($"GET /item/{i} HTTP/1.1\r\nHost: test\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
            }
            for (var i = 0; i < posts; i++)
            {
                client.Send("POST /item HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi");
                Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
            }
            client.Send("GET /item HTTP/1.1\r\nHost: test\r\nBad Header: x\r\n\r\n");
            Assert.Equal(400, (await client.ReadResponseAsync(timeout: Timeout)).Status);
        }

        using var http = new HttpClient { BaseAddress = admin };
        // The last exchange is counted when it completes, a moment after its response went out.
        var text = await ScrapeUntilAsync(http, t => Sample(t, "fastgate_requests_total", "route=\"(unmatched)\",method=\"GET\",code=\"4xx\"") == 1);
        Assert.Equal(gets, Sample(text, "fastgate_requests_total", "route=\"all\",method=\"GET\",code=\"2xx\""));
        Assert.Equal(posts, Sample(text, "fastgate_requests_total", "route=\"all\",method=\"POST\",code=\"2xx\""));
        Assert.Equal(gets + posts, Sample(text, "fastgate_request_duration_seconds_count", "route=\"all\""));
        Assert.Equal(gets + posts, Sample(text, "fastgate_request_duration_seconds_bucket", "route=\"all\",le=\"+Inf\""));
        Assert.Equal(gets + posts, Sample(text, "fastgate_upstream_requests_total",
            $"cluster=\"backend\",destination=\"{upstream.EndPoint}\",outcome=\"response\""));
        Assert.Equal(1, Sample(text, "fastgate_upstream_connections", $"cluster=\"backend\",destination=\"{upstream.EndPoint}\",state=\"idle\""));

        var (exit, output) = await PromtoolCheckAsync(text);
        Assert.True(exit == 0, $"promtool check metrics failed ({exit}):\n{output}\n--- scrape:\n{text}");
    }

    [Fact]
    public async Task A_token_guards_every_endpoint_but_healthz()
    {
        await using var upstream = Upstream();
        using var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            [admin]
            listen = "127.0.0.1:0"
            token = "s3cret-Token"
            """);
        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        foreach (var path in new[] { "/metrics", "/readyz", "/nowhere" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
            foreach (var wrong in new[] { "s3cret-Toke", "s3cret-Token2", "S3cret-Token", "" })
            {
                using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);
                var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        }
        using var authorized = new HttpRequestMessage(System.Net.Http.HttpMethod.Get, "/metrics");
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-Token");
        var ok = await http.SendAsync(authorized);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("fastgate_client_connections", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_is_ready_with_a_destination_and_healthz_is_plain()
    {
        await using var upstream = Upstream();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "");
        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"ready\": true", await ready.Content.ReadAsStringAsync());
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Stats_show_the_percentile_spectrum_and_upstreams_and_a_post_reloads()
    {
        await using var upstream = Upstream();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "");
        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        using (var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port)))
        {
            for (var i = 0; i < 20; i++)
            {
                client.Send($"GET /s/{i} HTTP/1.1\r\nHost: test\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
            }
        }
        var deadline = DateTime.UtcNow + Timeout;
        System.Text.Json.JsonElement route;
        while (true)
        {
            using var stats = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/admin/stats"));
            route = stats.RootElement.GetProperty("routes").EnumerateArray().First(r => r.GetProperty("name").GetString() == "all").Clone();
            // The last exchange is counted when it completes, a moment after its response went out.
            if (route.GetProperty("requests").GetInt64() >= 20 || DateTime.UtcNow > deadline) break;
            await Task.Delay(50);
        }
        Assert.Equal(20, route.GetProperty("requests").GetInt64());
        Assert.Equal(20, route.GetProperty("status").GetProperty("2xx").GetInt64());
        var total = route.GetProperty("latency").GetProperty("total");
        Assert.Equal(20, total.GetProperty("count").GetInt64());
        var p50 = total.GetProperty("p50_us").GetInt64();
        var p99 = total.GetProperty("p99_us").GetInt64();
        var max = total.GetProperty("max_us").GetInt64();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= max, $"p50 {p50}, p99 {p99}, max {max}");

        using var upstreams = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/admin/upstreams"));
        var destination = Assert.Single(upstreams.RootElement.EnumerateArray());
        Assert.Equal(upstream.EndPoint.ToString(), destination.GetProperty("address").GetString());
        Assert.Equal(20, destination.GetProperty("outcomes").GetProperty("response").GetInt64());

        var reloaded = await http.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        Assert.Contains("\"config_version\": 2", await reloaded.Content.ReadAsStringAsync());
        await gateway.WriteConfigAsync("[limits]\nheader_timeout = \"10 parsecs\"\n", byRename: false);
        var refused = await http.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("\"result\": \"failed\"", await refused.Content.ReadAsStringAsync());
        Assert.Contains("fastgate_config_reloads_total{result=\"failed\"} 1", await http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task An_admin_address_in_use_stops_the_start_with_the_key_named()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (fileName, arguments) = TestPaths.GatewayCommand();
        var path = Path.Combine(Path.GetTempPath(), $"fastgate-test-{Guid.NewGuid():N}.toml");
        await File.WriteAllTextAsync(path, $$"""
            [server]
            listen = ["127.0.0.1:{{GatewayProcess.FreePort()}}"]
            [admin]
            listen = "127.0.0.1:{{port}}"
            """);
        try
        {
            using var process = System.Diagnostics.Process.Start(new ProcessStartInfo(fileName, [.. arguments, "--config", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var errors = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(20_000), "fastgate kept running with its admin address taken");
            Assert.Equal(1, process.ExitCode);
            Assert.Contains($"cannot listen on admin.listen 127.0.0.1:{port}", await errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static async Task<string> ScrapeUntilAsync(HttpClient http, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var text = await http.GetStringAsync("/metrics");
            if (done(text) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(50);
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> with exactly these labels; -1 when there is none.</summary>
    internal static long Sample(string text, string name, string labels)
    {
        var match = Regex.Match(text, $"^{Regex.Escape(name)}\\{{{Regex.Escape(labels)}\\}} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    internal static async Task<(int Exit, string Output)> PromtoolCheckAsync(string text)
    {
        using var promtool = System.Diagnostics.Process.Start(new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, output);
    }

    private static ScriptedUpstream Upstream() => ScriptedUpstream.EchoTarget();
}
