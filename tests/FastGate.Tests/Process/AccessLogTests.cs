using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The access log of the shipped binary: its lines field by field, escaping, logrotate's SIGUSR1, a full buffer, reload.</summary>
public partial class AccessLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int SigUsr1 = 10;

    [GeneratedRegex("""^(\S+) - - \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "((?:[^"\\]|\\x[0-9A-F]{2})*)" (\d+) (\d+) "([^"]*)" "([^"]*)"$""")]
    private static partial Regex CombinedLine();

    private static string Config(ScriptedUpstream upstream, int deadPort, string accessLog) => $$"""
        [clusters.backend]
        destinations = ["{{upstream.EndPoint}}"]
        [clusters.dead]
        destinations = ["127.0.0.1:{{deadPort}}"]
        [routes.dead]
        path = "/dead/{**rest}"
        cluster = "dead"
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        {{accessLog}}
        """;

    /// <summary>A proxied GET, a proxied POST with a body, a malformed head (400) and a refused upstream (502), one at a time.</summary>
    private static async Task SendFourAsync(GatewayProcess gateway, LogFile log)
    {
        await ExpectAsync(gateway, "GET /items/7?q=a%20b HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: probe/1.0\r\n" +
            "Referer: http://ref.test/p\r\nX-Request-ID: req-normal-1\r\n\r\n", 200);
        await log.WaitForLinesAsync(1);
        await ExpectAsync(gateway, "POST /upload HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 11\r\nX-Request-ID: req-post\r\n\r\nhello world", 200);
        await log.WaitForLinesAsync(2);
        await ExpectAsync(gateway, "GET /bad HTTP/1.1\r\nHost: shop.test\r\nBad Header: x\r\nUser-Agent: before-the-bad-line\r\n\r\n", 400);
        await log.WaitForLinesAsync(3);
        await ExpectAsync(gateway, "GET /dead/x HTTP/1.0\r\nHost: shop.test\r\nX-Request-ID: req-dead\r\n\r\n", 502);
    }

    private static async Task<HttpResponse> ExpectAsync(GatewayProcess gateway, string request, int status)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send(request);
        var response = await client.ReadResponseAsync(timeout: Timeout);
        Assert.Equal(status, response.Status);
        return response;
    }

    [Fact]
    public async Task Json_lines_describe_proxied_rejected_and_failed_requests_field_by_field()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        using var log = new LogFile();
        using var refusing = new RefusingPort();
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, refusing.Port, $"[access_log]\noutput = {log.Toml}\n"));
        var before = DateTime.UtcNow.AddSeconds(-1);
        await SendFourAsync(gateway, log);
        var lines = (await log.WaitForLinesAsync(4)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);

        var get = lines[0];
        var time = DateTime.Parse(get.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.InRange(time, before, DateTime.UtcNow.AddSeconds(1));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", get.GetProperty("time").GetString());
        Fields(get, ("client", "127.0.0.1"), ("method", "GET"), ("target", "/items/7?q=a%20b"), ("protocol", "HTTP/1.1"),
            ("host", "shop.test"), ("status", 200L), ("response_bytes", 5L), ("request_bytes", 0L), ("route", "all"),
            ("destination", upstream.EndPoint.ToString()), ("attempts", 1L), ("outcome", "proxied"), ("error", null),
            ("user_agent", "probe/1.0"), ("referer", "http://ref.test/p"), ("request_id", "req-normal-1"));
        var total = get.GetProperty("duration_ms").GetDouble();
        var firstByte = get.GetProperty("first_byte_ms").GetDouble();
        Assert.True(total > 0 && firstByte > 0 && firstByte <= total, $"duration {total} ms, first byte {firstByte} ms");
        Assert.True(get.GetProperty("connect_ms").GetDouble() >= 0);
        Assert.True(get.GetProperty("upstream_ms").GetDouble() <= total);

        Fields(lines[1], ("method", "POST"), ("request_bytes", 11L), ("user_agent", null), ("referer", null));
        var bad = lines[2];
        Fields(bad, ("status", 400L), ("method", "GET"), ("target", "/bad"), ("outcome", "local"), ("error", "bad_request"),
            ("route", null), ("destination", null), ("attempts", 0L), ("first_byte_ms", null));
        // A generated ID for a request that never said one.
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", bad.GetProperty("request_id").GetString());
        var dead = lines[3];
        Fields(dead, ("status", 502L), ("protocol", "HTTP/1.0"), ("route", "dead"), ("error", "upstream_connect_failed"),
            ("outcome", "local"), ("connect_ms", null), ("upstream_ms", null), ("request_id", "req-dead"));
        Assert.StartsWith("127.0.0.1:", dead.GetProperty("destination").GetString());
    }

    /// <summary>Each key has the value given: a string, a long, or null for JSON null.</summary>
    private static void Fields(JsonElement line, params (string Key, object? Value)[] expected)
    {
        foreach (var (key, value) in expected)
        {
            var actual = line.GetProperty(key);
            object? got = actual.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => actual.GetInt64(),
                _ => actual.GetString(),
            };
            Assert.True(Equals(value, got), $"{key}: expected {value ?? "null"}, got {actual.GetRawText()}");
        }
    }

    [Fact]
    public async Task Combined_lines_are_apache_and_nginx_combined_format()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        using var log = new LogFile();
        using var refusing = new RefusingPort();
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, refusing.Port,
            $"[access_log]\noutput = {log.Toml}\nformat = \"combined\"\n"));
        await SendFourAsync(gateway, log);
        var lines = await log.WaitForLinesAsync(4);
        var matches = lines.Select(l => CombinedLine().Match(l)).ToList();
        Assert.All(matches, (m, i) => Assert.True(m.Success, $"not a combined line: {lines[i]}"));
        string[][] expected =
        [
            ["GET /items/7?q=a%20b HTTP/1.1", "200", "5", "http://ref.test/p", "probe/1.0"],
            ["POST /upload HTTP/1.1", "200", "5", "-", "-"],
            ["GET /bad HTTP/1.1", "400", "0", "-", "-"],
            ["GET /dead/x HTTP/1.0", "502", "0", "-", "-"],
        ];
        for (var i = 0; i < 4; i++)
        {
            var m = matches[i];
            Assert.Equal("127.0.0.1", m.Groups[1].Value);
            var time = DateTime.ParseExact(m.Groups[2].Value, "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.InRange(time, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
            Assert.Equal(expected[i], (string[])[m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value, m.Groups[7].Value]);
        }
    }

    /// <summary>Quotes, backslashes, control bytes, invalid UTF-8 and CR/LF from a client never break or forge a line.</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("combined")]
    public async Task Client_bytes_are_escaped_so_no_line_can_be_broken_or_forged(string format)
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        using var log = new LogFile();
        using var refusing = new RefusingPort();
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, refusing.Port,
            $"[access_log]\noutput = {log.Toml}\nformat = \"{format}\"\n"));
        // Latin-1 strings: each char is one byte on the wire.
        const string target = "/a\"b\\c\x01\x7f\xff\xc3(?x=\xe9";
        const string agent = "evil\" \\ \xff \xc3\xa9 end";
        const string referer = "x\", \"status\": 999, \"y\": \"";
        await ExpectAsync(gateway, $"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        await log.WaitForLinesAsync(1);
        await ExpectAsync(gateway, $"GET /ok HTTP/1.1\r\nHost: t\r\nUser-Agent: {agent}\r\nReferer: {referer}\r\n\r\n", 200);
        await log.WaitForLinesAsync(2);
        await ExpectAsync(gateway, "GET /x\rInjected: 1 HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        await log.WaitForLinesAsync(3);
        await ExpectAsync(gateway, "GET /y HTTP/1.1\r\nHost: t\r\nUser-Agent: a\n{\"status\":200}\r\n\r\n", 400);
        var lines = await log.WaitForLinesAsync(4);
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.DoesNotContain('\r', l));

        if (format == "json")
        {
            var parsed = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            // Invalid UTF-8 bytes are escaped one by one as \u00XX, valid UTF-8 (é in the agent) is kept.
            Assert.Equal("/a\"b\\c\u0001\u007f\u00ff\u00c3(?x=\u00e9", parsed[0].GetProperty("target").GetString());
            Assert.Contains(@"\u00FF\u00C3(?x=\u00E9", lines[0]);
            Assert.Equal(400, parsed[0].GetProperty("status").GetInt32());
            Assert.Equal("evil\" \\ \u00ff é end", parsed[1].GetProperty("user_agent").GetString());
            Assert.Equal(referer, parsed[1].GetProperty("referer").GetString());
            Assert.Equal(200, parsed[1].GetProperty("status").GetInt32());
            // A bare CR or LF is refused while the head is scanned: nothing of that request line reaches the log.
            Assert.Equal(JsonValueKind.Null, parsed[2].GetProperty("target").ValueKind);
            Assert.Equal(400, parsed[3].GetProperty("status").GetInt32());
        }
        else
        {
            var matches = lines.Select(l => CombinedLine().Match(l)).ToList();
            Assert.All(matches, (m, i) => Assert.True(m.Success, $"not a combined line: {lines[i]}"));
            Assert.Equal(@"GET /a\x22b\x5Cc\x01\x7F\xFF\xC3(?x=\xE9 HTTP/1.1", matches[0].Groups[3].Value);
            Assert.Equal(@"evil\x22 \x5C \xFF \xC3\xA9 end", matches[1].Groups[7].Value);
            Assert.Equal(@"x\x22, \x22status\x22: 999, \x22y\x22: \x22", matches[1].Groups[6].Value);
            Assert.Equal("200", matches[1].Groups[4].Value);
            Assert.Equal("-", matches[2].Groups[3].Value);
            Assert.Equal("400", matches[3].Groups[4].Value);
        }
    }

    [Fact]
    public async Task Sigusr1_reopens_the_file_after_logrotate_moved_it()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        using var log = new LogFile();
        using var refusing = new RefusingPort();
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, refusing.Port, $"[access_log]\noutput = {log.Toml}\n"));
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var sent = 0;
        async Task SendAsync()
        {
            client.Send($"GET /n/{sent++} HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
        }
        for (var i = 0; i < 3; i++) await SendAsync();
        await log.WaitForLinesAsync(3);

        var rotated = log.Path + ".1";
        File.Move(log.Path, rotated);
        gateway.Signal(SigUsr1);
        // Lines of requests made before the reopen still go to the moved file; once it happened, to a new one.
        var deadline = DateTime.UtcNow + Timeout;
        while (LogFile.ReadLines(log.Path).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no new file after SIGUSR1:\n" + string.Join("\n", gateway.Lines));
            await SendAsync();
            await Task.Delay(20);
        }
        await SendAsync();
        var total = sent;
        var deadlineAll = DateTime.UtcNow + Timeout;
        while (LogFile.ReadLines(rotated).Count + LogFile.ReadLines(log.Path).Count < total && DateTime.UtcNow < deadlineAll) await Task.Delay(20);

        var old = LogFile.ReadLines(rotated).Select(Target).ToList();
        var fresh = LogFile.ReadLines(log.Path).Select(Target).ToList();
        Assert.False(gateway.HasExited);
        Assert.True(old.Count >= 3 && fresh.Count >= 2, $"old {old.Count}, new {fresh.Count}");
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"/n/{i}"), [.. old, .. fresh]);

        static string Target(string line) => JsonDocument.Parse(line).RootElement.GetProperty("target").GetString()!;
    }

    /// <summary>
    /// The log goes to a FIFO the test opens but does not read: the pipe and then the buffer fill, yet every request
    /// is answered promptly, and each line is either written or counted as dropped; reading the FIFO drains the rest.
    /// </summary>
    [Fact]
    public async Task A_full_access_log_buffer_drops_and_counts_without_blocking()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        var fifo = Path.Combine(Path.GetTempPath(), $"fastgate-fifo-{Guid.NewGuid():N}");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        try
        {
            using var refusing = new RefusingPort();
            using var gateway = await GatewayProcess.StartAsync(Config(upstream, refusing.Port,
                $"[access_log]\noutput = \"{fifo}\"\nbuffer = \"64KiB\"\n"));
            // Opening the read end completes once the gateway's writer has opened the other one.
            await using var reader = await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1));
            using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };

            const int connections = 4, perConnection = 500, requests = connections * perConnection;
            var slowest = await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
            {
                using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
                var worst = TimeSpan.Zero;
                for (var i = 0; i < perConnection; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    client.Send($"GET /c{c}/{i}?padding={new string('p', 200)} HTTP/1.1\r\nHost: t\r\n\r\n");
                    Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
                    var took = Stopwatch.GetElapsedTime(started);
                    if (took > worst) worst = took;
                }
                return worst;
            })));
            Assert.True(slowest.Max() < TimeSpan.FromSeconds(2), $"a request waited {slowest.Max().TotalMilliseconds:F0} ms");

            // Every exchange is counted (phase 7 runs just after the response), then the drops are read.
            var metrics = "";
            var deadline = DateTime.UtcNow + Timeout;
            while (Sample(metrics = await http.GetStringAsync("/metrics"), "fastgate_requests_total{route=\"all\",method=\"GET\",code=\"2xx\"}") < requests)
            {
                Assert.True(DateTime.UtcNow < deadline, metrics);
                await Task.Delay(20);
            }
            var dropped = Sample(metrics, "fastgate_access_log_dropped_total");
            Assert.True(dropped > requests / 2, $"only {dropped} of {requests} lines dropped with a 64 KiB buffer and nobody reading");
            using (var stats = JsonDocument.Parse(await http.GetStringAsync("/admin/stats")))
                Assert.Equal(dropped, stats.RootElement.GetProperty("logs").GetProperty("access_log_dropped").GetInt64());

            // Reading drains what the pipe and the buffer held: written + dropped = requests, exactly.
            var lines = 0;
            var buffer = new byte[65536];
            using var readTimeout = new CancellationTokenSource(Timeout);
            while (lines < requests - dropped)
            {
                var n = await reader.ReadAsync(buffer, readTimeout.Token);
                Assert.True(n > 0, "the FIFO closed");
                lines += buffer.AsSpan(0, n).Count((byte)'\n');
            }
            Assert.Equal(requests - dropped, lines);
            Assert.Equal(dropped, Sample(await http.GetStringAsync("/metrics"), "fastgate_access_log_dropped_total"));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public async Task A_reload_turns_the_access_log_on_and_changes_its_format()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        using var log = new LogFile();
        using var refusing = new RefusingPort();
        var deadPort = refusing.Port;
        using var gateway = await GatewayProcess.StartAsync(Config(upstream, deadPort, ""));
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        await GetAsync(client, "/off");
        Assert.False(File.Exists(log.Path));

        await gateway.WriteConfigAsync(Config(upstream, deadPort, $"[access_log]\noutput = {log.Toml}\n"), byRename: true);
        gateway.Reload();
        var json = await PollAsync(client, log, "/json", l => l.StartsWith('{'));
        Assert.Equal("/json", JsonDocument.Parse(json).RootElement.GetProperty("target").GetString());

        await gateway.WriteConfigAsync(Config(upstream, deadPort, $"[access_log]\noutput = {log.Toml}\nformat = \"combined\"\n"), byRename: true);
        gateway.Reload();
        var combined = await PollAsync(client, log, "/combined", l => CombinedLine().IsMatch(l));
        Assert.Contains("\"GET /combined HTTP/1.1\" 200 5", combined);
        Assert.DoesNotContain(log.Lines(), l => l.Contains("/off", StringComparison.Ordinal));
    }

    /// <summary>Sends <paramref name="target"/> until a line of it that matches shows up (the reload lands in between).</summary>
    private static async Task<string> PollAsync(RawClient client, LogFile log, string target, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            await GetAsync(client, target);
            await Task.Delay(50);
            if (log.Lines().FirstOrDefault(l => l.Contains(target, StringComparison.Ordinal) && match(l)) is { } line) return line;
            Assert.True(DateTime.UtcNow < deadline, $"no line for {target}:\n" + string.Join("\n", log.Lines()));
        }
    }

    private static long Sample(string text, string series)
    {
        var match = Regex.Match(text, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>One GET of <paramref name="target"/> on the keep-alive connection, which must answer 200.</summary>
    private static async Task GetAsync(RawClient client, string target)
    {
        client.Send($"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
    }
}
