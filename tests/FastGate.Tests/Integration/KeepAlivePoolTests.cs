namespace FastGate.Tests.Integration;

public class KeepAlivePoolTests
{
    [Fact]
    public async Task SequentialRequestsOnOneClientConnectionShareOneUpstreamConnection()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < 20; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal($"/{i}", (await client.ReadResponseAsync()).Header("X-Path"));
        }

        Assert.Equal(1, upstream.AcceptedConnections);
        Assert.Equal(1, gateway.Destinations[0].Pool.OpenConnections);
    }

    [Fact]
    public async Task RoundRobinAlternatesBetweenTwoDestinations()
    {
        await using var a = ScriptedUpstream.Ok("A");
        await using var b = ScriptedUpstream.Ok("B");
        await using var gateway = await TestGateway.StartAsync([a.EndPoint, b.EndPoint]);
        using var client = gateway.Connect();

        var seen = "";
        for (var i = 0; i < 10; i++)
        {
            client.Send($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            seen += (await client.ReadResponseAsync()).Body;
        }

        Assert.Contains(seen, new[] { "ABABABABAB", "BABABABABA" });
        Assert.Equal(1, a.AcceptedConnections);
        Assert.Equal(1, b.AcceptedConnections);
    }
}
