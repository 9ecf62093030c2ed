using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The error log of the shipped binary: rejections with the parser's reason, upstream failures by kind, levels, the rate limit.</summary>
public class ErrorLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<int> StatusOfAsync(GatewayProcess gateway, string request)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send(request);
        return (await client.ReadResponseAsync(timeout: Timeout)).Status;
    }

    [Fact]
    public async Task Rejections_are_logged_at_info_with_the_parsers_reason_and_the_client()
    {
        await using var upstream = ScriptedUpstream.Ok();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "[telemetry]\nlog_level = \"info\"\n");
        (string Request, int Status, string Kind, string Reason)[] cases =
        [
            ("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400, "invalid_header_line", "invalid header field line"),
            ("GET / HTTP/1.1\nHost: t\r\n\r\n", 400, "bare_line_feed", "LF without CR in the head"),
            ("GET / HTTP/1.1\r\n\r\n", 400, "missing_host", "HTTP/1.1 request without Host"),
            ("GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "encoded_nul", "encoded NUL (%00) in the path"),
            ("GET /x HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", 400, "duplicate_host", "more than one Host field"),
            ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, "unsupported_version", "HTTP version other than 1.0 and 1.1"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "invalid_transfer_encoding", "invalid Transfer-Encoding"),
            ($"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: t\r\n\r\n", 414, "request_line_too_long", "request line longer than limits.max_request_line"),
        ];
        foreach (var (request, status, kind, reason) in cases)
        {
            var from = gateway.LineCount;
            Assert.Equal(status, await StatusOfAsync(gateway, request));
            var line = GatewayProcess.Message(await gateway.WaitForLineAsync(l => l.Contains($"({status}, {kind})", StringComparison.Ordinal), Timeout, from));
            Assert.StartsWith($"request rejected ({status}, {kind}): {reason}, client: 127.0.0.1", line);
            Assert.Matches(", request_id: [0-9a-f-]{36}$", line);
        }
        var logged = gateway.Lines.First(l => l.Contains("(400, invalid_header_line)", StringComparison.Ordinal));
        Assert.Matches(@"^stderr: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[info\] request rejected \(400, invalid_header_line\): invalid header field line, client: 127\.0\.0\.1, request: ""GET / HTTP/1\.1"", request_id: ", logged);
    }

    /// <summary>Refused, reset, timed out and invalid: each failure names its kind and destination, at error level, as JSON.</summary>
    [Fact]
    public async Task Upstream_failures_are_logged_at_error_with_their_kind_and_destination()
    {
        await using var reset = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Reset();
        });
        await using var silent = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            await Task.Delay(TimeSpan.FromSeconds(5));
        });
        await using var invalid = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx");
        });
        using var refusing = new RefusingPort();
        var refused = refusing.Port;
        using var log = new LogFile();
        using var gateway = await GatewayProcess.StartAsync($$"""
            [telemetry]
            error_log = {{log.Toml}}
            error_log_format = "json"
            [clusters.refused]
            destinations = ["127.0.0.1:{{refused}}"]
            [clusters.reset]
            destinations = ["{{reset.EndPoint}}"]
            [clusters.silent]
            destinations = ["{{silent.EndPoint}}"]
            response_timeout = "300ms"
            [clusters.invalid]
            destinations = ["{{invalid.EndPoint}}"]
            [routes.refused]
            path = "/refused"
            cluster = "refused"
            [routes.reset]
            path = "/reset"
            cluster = "reset"
            [routes.silent]
            path = "/silent"
            cluster = "silent"
            [routes.invalid]
            path = "/invalid"
            cluster = "invalid"
            """);
        (string Path, int Status, string Kind, string Destination)[] cases =
        [
            ("/refused", 502, "refused", $"127.0.0.1:{refused}"),
            ("/reset", 502, "reset", reset.EndPoint.ToString()),
            ("/silent", 504, "timeout", silent.EndPoint.ToString()),
            ("/invalid", 502, "invalid_response", invalid.EndPoint.ToString()),
        ];
        for (var i = 0; i < cases.Length; i++)
        {
            var (path, status, kind, destination) = cases[i];
            Assert.Equal(status, await StatusOfAsync(gateway, $"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"));
            var line = JsonDocument.Parse((await log.WaitForLinesAsync(i + 1))[i]).RootElement;
            Assert.Equal("error", line.GetProperty("level").GetString());
            Assert.Equal("upstream_failed", line.GetProperty("event").GetString());
            Assert.Equal(kind, line.GetProperty("kind").GetString());
            Assert.Equal(status, line.GetProperty("status").GetInt32());
            Assert.Equal(destination, line.GetProperty("destination").GetString());
            Assert.Equal(path[1..], line.GetProperty("cluster").GetString());
            Assert.Equal(path[1..], line.GetProperty("route").GetString());
            Assert.Equal("127.0.0.1", line.GetProperty("client").GetString());
            Assert.Equal($"POST {path} HTTP/1.1", line.GetProperty("request").GetString());
            Assert.False(string.IsNullOrEmpty(line.GetProperty("reason").GetString()));
        }
    }

    /// <summary>At the default level (warn) a rejection writes nothing; a reload to info makes the next one a line.</summary>
    [Fact]
    public async Task The_level_filters_lines_and_a_reload_changes_it()
    {
        using var refusing = new RefusingPort();
        var refused = refusing.Port;
        string Config(string telemetry) => $$"""
            {{telemetry}}
            [clusters.refused]
            destinations = ["127.0.0.1:{{refused}}"]
            [routes.all]
            path = "/{**rest}"
            cluster = "refused"
            """;
        using var gateway = await GatewayProcess.StartAsync(Config("[telemetry]\nlog_level = \"warn\" # the default, said so the harness adds no notices\n"));
        var from = gateway.LineCount;
        Assert.Equal(400, await StatusOfAsync(gateway, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n"));
        Assert.Equal(502, await StatusOfAsync(gateway, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
        // The error-level line comes after the rejection's would have: lines of one log keep their order.
        await gateway.WaitForLineAsync(l => l.Contains("[error] upstream failed (502, refused)", StringComparison.Ordinal), Timeout, from);
        Assert.DoesNotContain(gateway.Lines, l => l.Contains("request rejected", StringComparison.Ordinal));

        await gateway.WriteConfigAsync(Config("[telemetry]\nlog_level = \"info\"\n"), byRename: true);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == "error log: now info and above, plain to stderr", Timeout, from);
        Assert.Equal(400, await StatusOfAsync(gateway, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n"));
        await gateway.WaitForLineAsync(l => l.Contains("[info] request rejected (400, invalid_header_line)", StringComparison.Ordinal), Timeout, from);
    }

    /// <summary>
    /// 1,000 bad requests at info level: at most 10 lines per second of their kind get through, the rest are counted
    /// in "repeated N times" lines, and the two add up to exactly 1,000.
    /// </summary>
    [Fact]
    public async Task A_flood_of_bad_requests_is_rate_limited_and_counted()
    {
        await using var upstream = ScriptedUpstream.Ok();
        using var log = new LogFile();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint,
            $"[telemetry]\nlog_level = \"info\"\nerror_log = {log.Toml}\nerror_log_format = \"json\"\n");
        const int bad = 1000;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < bad / 4; i++)
                Assert.Equal(400, await StatusOfAsync(gateway, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n"));
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Summaries are written once their second is over.
        var deadline = DateTime.UtcNow + Timeout;
        int logged, repeated;
        List<JsonElement> rejected;
        while (true)
        {
            rejected = [.. log.Lines().Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("event", out var name) && name.GetString() == "request_rejected")];
            logged = rejected.Count(l => !l.TryGetProperty("repeated", out _));
            repeated = rejected.Where(l => l.TryGetProperty("repeated", out _)).Sum(l => l.GetProperty("repeated").GetInt32());
            if (logged + repeated >= bad || DateTime.UtcNow > deadline) break;
            await Task.Delay(50);
        }
        Assert.Equal(bad, logged + repeated);
        // Ten per started second of the flood (it may straddle one more second boundary than it lasted).
        Assert.True(logged <= 10 * ((int)Math.Ceiling(seconds) + 1), $"{logged} lines in {seconds:F1} s");
        Assert.All(rejected, l => Assert.Equal("invalid_header_line", l.GetProperty("kind").GetString()));
        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        var metrics = await http.GetStringAsync("/metrics");
        var suppressed = Regex.Match(metrics, @"^fastgate_error_log_suppressed_total (\d+)$", RegexOptions.Multiline);
        Assert.Equal(repeated, int.Parse(suppressed.Groups[1].Value, CultureInfo.InvariantCulture));
    }
}
