using FastGate.Http;
using FastGate.Tests.Http;

namespace FastGate.Tests.Integration;

/// <summary>A 60 KB request head written one byte per send over a real socket is parsed and forwarded whole.</summary>
public class DribbledHeadSocketTests
{
    [Fact]
    public async Task SixtyKilobyteHeadSentOneBytePerWriteIsForwarded()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: HttpLimits.Default with { MaxHeaderBytes = 64 * 1024, HeaderTimeout = TimeSpan.FromSeconds(60) });
        using var client = gateway.Connect();
        var head = DribbledHeadTests.BigHead("GET /dribbled HTTP/1.1\r\nHost: a\r\n");
        Assert.True(head.Length > 60_000);

        var single = new byte[1];
        foreach (var b in head)
        {
            single[0] = b;
            client.Send(single);
        }
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(200, response.Status);
        var forwarded = Assert.Single(upstream.Requests);
        Assert.Equal("/dribbled", forwarded.Target);
        Assert.Equal(990, forwarded.Header("X-Fill-59")!.Length);
    }
}
