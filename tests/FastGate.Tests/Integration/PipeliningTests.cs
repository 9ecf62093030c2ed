namespace FastGate.Tests.Integration;

public class PipeliningTests
{
    private const string ThreeRequests =
        "GET /one HTTP/1.1\r\nHost: a\r\n\r\n" +
        "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
        "GET /three HTTP/1.1\r\nHost: a\r\n\r\n";

    [Fact]
    public async Task ThreeRequestsInOneSendAreAnsweredInOrder()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send(ThreeRequests);

        await AssertThreeResponsesInOrder(client);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(29)]
    public async Task ThreeRequestsSplitAcrossSendsAreAnsweredInOrder(int pieceSize)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        for (var i = 0; i < ThreeRequests.Length; i += pieceSize)
        {
            client.Send(ThreeRequests.Substring(i, Math.Min(pieceSize, ThreeRequests.Length - i)));
            await Task.Delay(1);
        }

        await AssertThreeResponsesInOrder(client);
    }

    private static async Task AssertThreeResponsesInOrder(RawClient client)
    {
        foreach (var path in new[] { "/one", "/two", "/three" })
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal(path, response.Header("X-Path"));
        }
    }
}
