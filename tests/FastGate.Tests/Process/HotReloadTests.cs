using System.Net;
using System.Net.Sockets;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Hot reload of the real binary, by SIGHUP and by <c>server.watch_config</c>, over real sockets.</summary>
public class HotReloadTests
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(5);
    /// <summary>How soon after the reload line requests must follow the new config.</summary>
    private static readonly TimeSpan SwapTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Twenty_reloads_by_SIGHUP_and_file_watch_under_keep_alive_load_fail_no_request_and_serve_each_new_config()
    {
        await using var a = ScriptedUpstream.Ok("A");
        await using var b = ScriptedUpstream.Ok("B");
        await using var c = ScriptedUpstream.Ok("C");
        // Even steps send /flip to a and have no /extra; odd steps send /flip to b and add /extra on a third upstream.
        string Config(int step) => $$"""
            watch_config = true
            # step {{step}}
            [clusters.a]
            destinations = ["{{a.EndPoint}}"]
            [clusters.b]
            destinations = ["{{b.EndPoint}}"]
            [routes.stable]
            path = "/stable"
            cluster = "a"
            [routes.flip]
            path = "/flip"
            cluster = "{{(step % 2 == 0 ? "a" : "b")}}"
            {{(step % 2 == 0 ? "" : $"[clusters.c]\ndestinations = [\"{c.EndPoint}\"]\n[routes.extra]\npath = \"/extra\"\ncluster = \"c\"")}}
            """;
        using var gateway = await GatewayProcess.StartAsync(Config(0));
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 3).Select(_ => Task.Run(() => LoadAsync(gateway.Port, stop.Token))).ToArray();
        using var poller = Connect(gateway.Port);

        for (var step = 1; step <= 20; step++)
        {
            var from = gateway.LineCount;
            var bySignal = step % 2 == 1;
            await gateway.WriteConfigAsync(Config(step), byRename: bySignal || step % 4 == 0);
            if (bySignal) gateway.Reload();

            var reloaded = await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"config reloaded: version {step + 1} ", StringComparison.Ordinal), ReloadTimeout, from);
            Assert.EndsWith(step % 2 == 1 ? "destinations +1 -0)" : "destinations +0 -1)", reloaded);
            var lines = gateway.Lines.Skip(from).ToList();
            Assert.Equal(bySignal ? "reloading config: SIGHUP" : "reloading config: file changed",
                lines.Take(lines.IndexOf(reloaded)).Select(GatewayProcess.Message).Last(l => l.StartsWith("reloading config: ", StringComparison.Ordinal)));

            var flip = step % 2 == 0 ? "A" : "B";
            var extra = step % 2 == 0 ? 404 : 200;
            await PollUntilAsync(async () =>
                (await GetAsync(poller, "/flip")).Body == flip && (await GetAsync(poller, "/extra")).Status == extra,
                $"step {step}: /flip -> {flip}, /extra -> {extra}");
        }

        await stop.CancelAsync();
        var results = await Task.WhenAll(load);
        Assert.DoesNotContain(gateway.Lines, l => GatewayProcess.Message(l).StartsWith("config reload failed", StringComparison.Ordinal));
        Assert.All(results, r => Assert.Empty(r.Failures));
        Assert.All(results, r => Assert.True(r.Requests > 100, $"only {r.Requests} requests on one load connection"));
    }

    [Fact]
    public async Task Reloads_that_keep_a_destination_keep_its_pooled_upstream_connection()
    {
        await using var a = ScriptedUpstream.Ok("A");
        await using var b = ScriptedUpstream.Ok("B");
        await using var b2 = ScriptedUpstream.Ok("B2");
        // Every step changes a limit, a route's path and cluster b's destination; cluster a stays as it is.
        string Config(int step) => $$"""
            watch_config = true
            stats_interval = "200ms"
            [limits]
            header_timeout = "{{5 + step}}s"
            [clusters.a]
            destinations = ["{{a.EndPoint}}"]
            [clusters.b]
            destinations = ["{{(step % 2 == 0 ? b : b2).EndPoint}}"]
            [routes.a]
            path = "/a"
            cluster = "a"
            [routes.b]
            path = "/b{{step}}"
            cluster = "b"
            """;
        using var gateway = await GatewayProcess.StartAsync(Config(0));
        using var client = Connect(gateway.Port);
        Assert.Equal("A", (await GetAsync(client, "/a")).Body);
        Assert.Equal(1, a.AcceptedConnections);

        for (var step = 1; step <= 6; step++)
        {
            var from = gateway.LineCount;
            var bySignal = step % 2 == 1;
            await gateway.WriteConfigAsync(Config(step), byRename: true);
            if (bySignal) gateway.Reload();
            await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"config reloaded: version {step + 1} ", StringComparison.Ordinal), ReloadTimeout, from);
            var body = step % 2 == 0 ? "B" : "B2";
            await PollUntilAsync(async () => (await GetAsync(client, $"/b{step}")).Body == body, $"step {step}: /b{step} -> {body}");

            Assert.Equal("A", (await GetAsync(client, "/a")).Body);
            using var other = Connect(gateway.Port);
            Assert.Equal("A", (await GetAsync(other, "/a")).Body);
        }

        Assert.Equal(1, a.AcceptedConnections);
        await gateway.WaitForLineAsync(l => l.Contains("config_version=7 last_reload=ok", StringComparison.Ordinal), ReloadTimeout);
    }

    [Fact]
    public async Task A_reload_that_removes_a_destination_closes_its_pooled_connection()
    {
        await using var a = ScriptedUpstream.Ok("A");
        var closed = new TaskCompletionSource<string>();
        await using var b = new ScriptedUpstream(async s =>
        {
            try
            {
                while (await s.ReadRequestAsync() is not null) s.Send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB");
                closed.TrySetResult("EOF");
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                closed.TrySetResult("reset");
            }
        });
        var common = $$"""
            [clusters.a]
            destinations = ["{{a.EndPoint}}"]
            [routes.a]
            path = "/a"
            cluster = "a"
            """;
        using var gateway = await GatewayProcess.StartAsync($$"""
            {{common}}
            [clusters.b]
            destinations = ["{{b.EndPoint}}"]
            [routes.b]
            path = "/b"
            cluster = "b"
            """);
        using var client = Connect(gateway.Port);
        Assert.Equal("B", (await GetAsync(client, "/b")).Body);
        await Task.Delay(200);
        Assert.False(closed.Task.IsCompleted, "the upstream connection was not kept in the pool");

        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(common, byRename: false);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == "config reloaded: version 2 (routes 1, clusters 1, destinations +0 -1)", ReloadTimeout, from);

        var how = await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        // Kestrel's Sockets transport (FASTGATE_SERVER__TRANSPORT=sockets) disposes a socket with a receive
        // pending, which Linux turns into a reset right after the FIN; the native transports just send the FIN.
        if (TestGateway.Transport != FastGate.Transport.TransportKind.Sockets) Assert.Equal("EOF", how);
        await PollUntilAsync(async () => (await GetAsync(client, "/b")).Status == 404, "/b -> 404");
    }

    [Fact]
    public async Task SIGHUP_reloads_a_gateway_started_under_nohup_which_starts_it_with_the_signal_ignored()
    {
        await using var a = ScriptedUpstream.Ok("A");
        string Config(string path) => OneRoute(a.EndPoint, path);
        using var gateway = await GatewayProcess.StartAsync(Config("/a"), "nohup");
        using var client = Connect(gateway.Port);
        Assert.Equal("A", (await GetAsync(client, "/a")).Body);

        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config("/moved"), byRename: true);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 2 ", StringComparison.Ordinal), ReloadTimeout, from);
        Assert.Equal("A", (await GetAsync(client, "/moved")).Body);
        Assert.False(gateway.HasExited, "SIGHUP ended the gateway instead of reloading it");
    }

    [Fact]
    public async Task An_invalid_reload_changes_nothing_and_names_file_line_and_key_of_every_error()
    {
        await using var a = ScriptedUpstream.Ok("A");
        using var gateway = await GatewayProcess.StartAsync($$"""
            stats_interval = "200ms"
            [clusters.a]
            destinations = ["{{a.EndPoint}}"]
            [routes.a]
            path = "/a"
            cluster = "a"
            """);
        using var client = Connect(gateway.Port);
        Assert.Equal("A", (await GetAsync(client, "/a")).Body);

        var from = gateway.LineCount;
        await gateway.WriteConfigAsync($$"""
            stats_interval = "200ms"
            [limits]
            header_timeout = "10 parsecs"
            [clusters.a]
            destinations = ["{{a.EndPoint}}"]
            balancer = "fastest"
            [routes.b]
            path = "/b"
            cluster = "missing"
            """, byRename: false);
        gateway.Reload();

        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == "config reload failed: 3 error(s)", ReloadTimeout, from);
        var path = gateway.ConfigPath;
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"reload failed: {path}:5: limits.header_timeout: bad duration \"10 parsecs\"", StringComparison.Ordinal), ReloadTimeout, from);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"reload failed: {path}:8: clusters.a.balancer: unknown balancer \"fastest\"", StringComparison.Ordinal), ReloadTimeout, from);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith($"reload failed: {path}:11: routes.b.cluster: unknown cluster \"missing\"", StringComparison.Ordinal), ReloadTimeout, from);
        await gateway.WaitForLineAsync(l => l.Contains("config_version=1 last_reload=failed", StringComparison.Ordinal), ReloadTimeout, from);

        Assert.Equal("A", (await GetAsync(client, "/a")).Body);
        using var fresh = Connect(gateway.Port);
        Assert.Equal("A", (await GetAsync(fresh, "/a")).Body);
        Assert.Equal(404, (await GetAsync(fresh, "/b")).Status);
        Assert.DoesNotContain(gateway.Lines, l => GatewayProcess.Message(l).StartsWith("config reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listen_change_is_reported_as_needing_a_restart_and_the_rest_of_the_reload_applies()
    {
        await using var a = ScriptedUpstream.Ok("A");
        string Config(string path) => OneRoute(a.EndPoint, path);
        using var gateway = await GatewayProcess.StartAsync(Config("/a"));
        var newPort = GatewayProcess.FreePort();

        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config("/moved"), byRename: true, port: newPort);
        gateway.Reload();

        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == $"config reload: server.listen changed to 127.0.0.1:{newPort}: needs a restart, " +
            $"still listening on 127.0.0.1:{gateway.Port}", ReloadTimeout, from);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 2 ", StringComparison.Ordinal), ReloadTimeout, from);
        using var client = Connect(gateway.Port);
        await PollUntilAsync(async () => (await GetAsync(client, "/moved")).Body == "A", "/moved -> A on the old port");
        Assert.Throws<SocketException>(() => Connect(newPort));
    }

    /// <summary>One route at <paramref name="path"/> to one upstream.</summary>
    private static string OneRoute(IPEndPoint upstream, string path) => $$"""
        [clusters.a]
        destinations = ["{{upstream}}"]
        [routes.a]
        path = "{{path}}"
        cluster = "a"
        """;

    private static RawClient Connect(int port) => RawClient.Connect(new IPEndPoint(IPAddress.Loopback, port));

    private static async Task<HttpResponse> GetAsync(RawClient client, string path)
    {
        client.Send($"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    private static async Task PollUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + SwapTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {SwapTimeout.TotalSeconds} s of the reload: {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>One keep-alive connection requesting in a loop; any response that is not the expected 200 is a failure.</summary>
    private static async Task<(int Requests, List<string> Failures)> LoadAsync(int port, CancellationToken stop)
    {
        var failures = new List<string>();
        var requests = 0;
        using var client = Connect(port);
        while (!stop.IsCancellationRequested)
        {
            foreach (var path in (string[])["/stable", "/flip"])
            {
                try
                {
                    var response = await GetAsync(client, path);
                    requests++;
                    var expected = path == "/stable" ? response.Body == "A" : response.Body is "A" or "B";
                    if (response.Status != 200 || !expected) failures.Add($"{path}: {response.Status} {response.Body}");
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                    failures.Add($"{path}: {ex.Message}");
                    return (requests, failures);
                }
            }
        }
        return (requests, failures);
    }
}
