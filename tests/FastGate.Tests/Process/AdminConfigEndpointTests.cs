using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary><c>GET /admin/config</c> of the shipped binary: the effective config with its token masked, and the last reload's errors.</summary>
public class AdminConfigEndpointTests
{
    private const string Token = "Adm1n-Secret";

    [Fact]
    public async Task The_config_masks_the_token_and_a_failed_reload_shows_its_errors_while_the_old_config_runs()
    {
        await using var upstream = ScriptedUpstream.EchoTarget();
        string Config(string limits) =>
            GatewayProcess.InFrontOf(upstream.EndPoint, "") + $"\n[limits]\n{limits}\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"{Token}\"\n";
        using var gateway = await GatewayProcess.StartAsync(Config("header_timeout = \"7s\""));
        var admin = await gateway.AdminAsync();
        using var anonymous = new HttpClient { BaseAddress = admin };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/config")).StatusCode);
        using var http = new HttpClient { BaseAddress = admin };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var text = await http.GetStringAsync("/admin/config");
        Assert.DoesNotContain(Token, text);
        using (var started = JsonDocument.Parse(text))
        {
            var root = started.RootElement;
            Assert.Equal(1, root.GetProperty("config_version").GetInt32());
            Assert.Equal(Path.GetFullPath(gateway.ConfigPath), root.GetProperty("file").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("last_reload").ValueKind);
            var config = root.GetProperty("config");
            Assert.Equal("***", config.GetProperty("admin").GetProperty("token").GetString());
            Assert.Equal("7s", config.GetProperty("limits").GetProperty("header_timeout").GetString());
            Assert.Equal("32KiB", config.GetProperty("limits").GetProperty("max_header_bytes").GetString());
            Assert.Equal(upstream.EndPoint.ToString(),
                config.GetProperty("clusters").GetProperty("backend").GetProperty("destinations")[0].GetString());
            Assert.Equal("backend", config.GetProperty("routes").GetProperty("all").GetProperty("cluster").GetString());
        }

        await gateway.WriteConfigAsync(Config("header_timeout = \"10 parsecs\"\nmax_header_count = 0"), byRename: false);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.PostAsync("/admin/reload", null)).StatusCode);

        using var after = JsonDocument.Parse(await http.GetStringAsync("/admin/config"));
        var report = after.RootElement;
        Assert.Equal(1, report.GetProperty("config_version").GetInt32());
        Assert.Equal("7s", report.GetProperty("config").GetProperty("limits").GetProperty("header_timeout").GetString());
        var reload = report.GetProperty("last_reload");
        Assert.Equal(("admin", "failed", 1), (reload.GetProperty("reason").GetString(), reload.GetProperty("result").GetString(),
            reload.GetProperty("config_version").GetInt32()));
        var errors = reload.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        var lines = await File.ReadAllLinesAsync(gateway.ConfigPath);
        int LineOf(string key) => Array.FindIndex(lines, l => l.StartsWith(key + " =", StringComparison.Ordinal)) + 1;
        Assert.Equal((gateway.ConfigPath, LineOf("header_timeout"), "limits.header_timeout"),
            (errors[0].GetProperty("file").GetString(), errors[0].GetProperty("line").GetInt32(), errors[0].GetProperty("key").GetString()));
        Assert.StartsWith("bad duration \"10 parsecs\"", errors[0].GetProperty("message").GetString());
        Assert.Equal((LineOf("max_header_count"), "limits.max_header_count"), (errors[1].GetProperty("line").GetInt32(), errors[1].GetProperty("key").GetString()));
        Assert.StartsWith($"{gateway.ConfigPath}:{LineOf("max_header_count")}: limits.max_header_count: ", errors[1].GetProperty("text").GetString());

        // Still serving on the old config.
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send("GET /still HTTP/1.1\r\nHost: test\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10))).Status);
    }
}
