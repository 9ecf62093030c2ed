namespace FastGate.Tests.Integration;

public class ProxySmokeTests
{
    [Fact]
    public async Task ForwardsAGetAndReusesTheUpstreamConnection()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();
        for (var i = 0; i < 3; i++)
        {
            client.Send($"GET /item/{i}?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("hello", response.Body);
            Assert.Equal($"/item/{i}?q=1", response.Header("X-Path"));
        }
        Assert.Equal(1, upstream.AcceptedConnections);
        Assert.True(upstream.Requests.TryPeek(out var first));
        Assert.Equal("example.com", first.Header("Host"));
        Assert.Equal("127.0.0.1", first.Header("X-Forwarded-For"));
        Assert.Equal("http", first.Header("X-Forwarded-Proto"));
        Assert.Equal("example.com", first.Header("X-Forwarded-Host"));
    }
}
