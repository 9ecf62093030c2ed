using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The balancers as configured in config.toml, in the native binary, over real sockets.</summary>
public class BalancerProcessTests
{
    private static ScriptedUpstream Slow(string body, TimeSpan delay) => new(async s =>
    {
        while (await s.ReadRequestAsync() is not null)
        {
            await Task.Delay(delay);
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
    });

    private static Task<GatewayProcess> StartAsync(string balancer, string destinations, string serverKeys = "") => GatewayProcess.StartAsync($"""
        {serverKeys}
        [clusters.backend]
        destinations = [{destinations}]
        balancer = "{balancer}"
        [routes.all]
        path = "/{"{**rest}"}"
        cluster = "backend"
        """);

    private static async Task<List<string>> SendAsync(GatewayProcess gateway, int count, Func<int, string>? headers = null)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        var bodies = new List<string>();
        for (var i = 0; i < count; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n{headers?.Invoke(i)}\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            bodies.Add(response.Body);
        }
        return bodies;
    }

    [Fact]
    public async Task Weighted_round_robin_gives_each_destination_its_weights_share()
    {
        await using var a = ScriptedUpstream.Ok("a");
        await using var b = ScriptedUpstream.Ok("b");
        using var gateway = await StartAsync("weighted_round_robin", $"{{ address = \"{a.EndPoint}\", weight = 3 }}, \"{b.EndPoint}\"");
        var bodies = await SendAsync(gateway, 40);
        Assert.Equal((30, 10), (bodies.Count(x => x == "a"), bodies.Count(x => x == "b")));
        Assert.DoesNotContain("aaaa", string.Concat(bodies)); // interleaved, never four in a row
    }

    [Fact]
    public async Task Ip_hash_keeps_each_client_a_trusted_proxy_names_on_one_destination()
    {
        await using var a = ScriptedUpstream.Ok("a");
        await using var b = ScriptedUpstream.Ok("b");
        using var gateway = await StartAsync("ip_hash", $"\"{a.EndPoint}\", \"{b.EndPoint}\"", "trusted_proxies = [\"127.0.0.1/32\"]");
        var bodies = await SendAsync(gateway, 200, i => $"X-Forwarded-For: 198.51.100.{i % 50 + 1}\r\n");
        for (var client = 0; client < 50; client++)
        {
            var seen = Enumerable.Range(0, 4).Select(k => bodies[client + 50 * k]).Distinct().ToList();
            Assert.Single(seen);
        }
        Assert.InRange(bodies.Count(x => x == "a"), 40, 160); // both are used
    }

    [Fact]
    public async Task Peak_ewma_sends_most_requests_to_the_faster_destination()
    {
        await using var fast = ScriptedUpstream.Ok("fast");
        await using var slow = Slow("slow", TimeSpan.FromMilliseconds(400));
        // The test's own upstreams are slow to answer their very first request; a peak EWMA remembers such a
        // peak for seconds, so they are warmed first and only the real difference is measured.
        foreach (var upstream in new[] { fast, slow })
        {
            using var direct = RawClient.Connect(upstream.EndPoint);
            for (var i = 0; i < 3; i++)
            {
                direct.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                await direct.ReadResponseAsync();
            }
        }
        using var gateway = await StartAsync("peak_ewma", $"\"{fast.EndPoint}\", \"{slow.EndPoint}\"");
        var bodies = await SendAsync(gateway, 30);
        Assert.True(bodies.Count(x => x == "slow") <= 3, $"the slow destination got {bodies.Count(x => x == "slow")} of 30");
    }

    [Fact]
    public async Task Random_uses_every_destination()
    {
        await using var a = ScriptedUpstream.Ok("a");
        await using var b = ScriptedUpstream.Ok("b");
        using var gateway = await StartAsync("random", $"\"{a.EndPoint}\", \"{b.EndPoint}\"");
        var bodies = await SendAsync(gateway, 100);
        Assert.InRange(bodies.Count(x => x == "a"), 25, 75);
    }
}
