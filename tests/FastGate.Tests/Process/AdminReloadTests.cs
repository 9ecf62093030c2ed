using System.Net;
using System.Net.Http;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary><c>POST /admin/reload</c> applies what SIGHUP and the file watch apply, the host's own settings included.</summary>
public class AdminReloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_reload_by_POST_turns_on_the_stats_line_and_the_file_watch()
    {
        await using var upstream = ScriptedUpstream.EchoTarget();
        string Config(string serverKeys) => GatewayProcess.InFrontOf(upstream.EndPoint, serverKeys);
        using var gateway = await GatewayProcess.StartAsync(Config(""));
        using var http = new HttpClient { BaseAddress = await gateway.AdminAsync() };
        Assert.DoesNotContain(gateway.Lines, l => l.StartsWith("stats: ", StringComparison.Ordinal));

        var from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config("stats_interval = \"200ms\"\nwatch_config = true"), byRename: false);
        var reloaded = await http.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        await gateway.WaitForLineAsync(l => l.StartsWith("stats: ", StringComparison.Ordinal) && l.Contains("config_version=2"), Timeout, from);

        // The watch is on now: saving the file reloads it with no signal and no POST.
        from = gateway.LineCount;
        await gateway.WriteConfigAsync(Config("stats_interval = \"200ms\"\nwatch_config = true\ndrain_timeout = \"5s\""), byRename: true);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l) == "reloading config: file changed", Timeout, from);
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded: version 3 ", StringComparison.Ordinal), Timeout, from);
    }
}
