using System.Text.Json;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Req/s in <c>/admin/stats</c> of the shipped binary: sampled once a second from the counters, for the gateway, each route and each destination.</summary>
public class RequestRateProcessTests
{
    [Fact]
    public async Task Rates_rise_with_traffic_and_the_one_second_rate_falls_back_to_zero()
    {
        await using var upstream = ScriptedUpstream.EchoTarget();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "");
        using var admin = new AdminApi(await gateway.AdminAsync());
        const int sent = 60;
        await AdminApi.SendAsync(gateway.Port, "/r/", sent);

        await admin.WaitForStatsAsync(s => AdminApi.Route(s, "all").GetProperty("requests").GetInt64() == sent, $"route all counting {sent} requests");

        // Once a whole interval has passed without traffic, the 1 s rates are back at 0 while the 10 and 60 s ones still count the requests.
        var stats = await admin.WaitForStatsAsync(s => Rate(s, "10s").All(r => r > 0) && Rate(s, "1s").All(r => r == 0),
            "rates above 0 over 10 s and back at 0 over 1 s");
        Assert.All(Rate(stats, "60s"), r => Assert.True(r > 0, $"a 60 s rate of {r}"));
        // Each interval of the history is ~1 s, so its rates add up to about the requests sent.
        var history = stats.GetProperty("requests_per_second_history").EnumerateArray().Select(r => r.GetDouble()).ToArray();
        Assert.InRange(history.Sum(), sent * 0.8, sent * 1.2);
        Assert.Equal(0, history[^1]);
    }

    /// <summary>The rate over <paramref name="window"/> of the gateway, route "all" and the one destination, in that order.</summary>
    private static double[] Rate(JsonElement stats, string window) =>
    [
        AdminApi.Rate(stats, window),
        AdminApi.Rate(AdminApi.Route(stats, "all"), window),
        AdminApi.Rate(stats.GetProperty("destinations")[0], window),
    ];
}
