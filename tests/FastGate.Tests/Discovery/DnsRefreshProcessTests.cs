using System.Net;
using System.Net.Http;
using System.Text.Json;
using FastGate.Tests.Integration;
using FastGate.Tests.Process;
using static FastGate.Tests.Process.AdminListenerTests;

namespace FastGate.Tests.Discovery;

/// <summary>DNS refresh in the native binary, with a real name (localhost, through the system resolver) and real config.</summary>
public class DnsRefreshProcessTests
{
    private static async Task<JsonElement> UpstreamAsync(HttpClient admin)
    {
        using var upstreams = JsonDocument.Parse(await admin.GetStringAsync("/admin/upstreams"));
        return upstreams.RootElement.EnumerateArray().Single().Clone();
    }

    [Fact]
    public async Task A_host_name_is_resolved_again_every_dns_refresh_without_a_reload_and_shown_in_admin_and_metrics()
    {
        await using var upstream = ScriptedUpstream.Ok("up");
        var port = upstream.EndPoint.Port;
        using var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = [{ address = "localhost:{{port}}", weight = 2 }]
            dns_refresh = "1s"
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            host_header = "destination"
            """);
        using var admin = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        var first = await UpstreamAsync(admin);
        Assert.Equal($"127.0.0.1:{port}", first.GetProperty("address").GetString());
        var dns = first.GetProperty("dns");
        Assert.Equal(($"localhost:{port}", $"127.0.0.1:{port}", "1s"), (dns.GetProperty("host_name").GetString(), dns.GetProperty("resolved").GetString(), dns.GetProperty("refresh").GetString()));
        var loadedAt = dns.GetProperty("resolved_at").GetDateTime();

        var text = await ScrapeUntilAsync(admin, t => Sample(t, "fastgate_dns_resolutions_total", "cluster=\"backend\",result=\"unchanged\"") >= 2);
        Assert.True(Sample(text, "fastgate_dns_resolutions_total", "cluster=\"backend\",result=\"unchanged\"") >= 2, text);
        Assert.Equal(0, Sample(text, "fastgate_dns_resolutions_total", "cluster=\"backend\",result=\"failed\""));
        var (exit, output) = await PromtoolCheckAsync(text);
        Assert.True(exit == 0, $"promtool check metrics failed ({exit}):\n{output}");

        dns = (await UpstreamAsync(admin)).GetProperty("dns");
        Assert.True(dns.GetProperty("resolved_at").GetDateTime() > loadedAt);
        Assert.Equal(JsonValueKind.Null, dns.GetProperty("last_error").ValueKind);
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "up"), (response.Status, response.Body));
        Assert.Equal($"localhost:{port}", upstream.Requests.Single().Header("Host")); // the name, not the address it resolved to
        Assert.Contains("fastgate_config_version 1\n", text); // no reload
    }
}
