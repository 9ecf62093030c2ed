namespace FastGate.Tests.Integration;

public class StreamingBodyTests
{
    [Fact]
    public async Task ContentLengthBodySentInPiecesArrivesIntact()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Body.Length.ToString().Length}\r\n\r\n{request.Body.Length}");
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(body);
        client.Send($"PUT /blob HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n");
        var response = Task.Run(() => client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20)));
        for (var offset = 0; offset < body.Length; offset += 100_000)
        {
            client.Send(body[offset..Math.Min(body.Length, offset + 100_000)]);
            if (offset % 1_000_000 < 100_000) await Task.Delay(10);
        }

        Assert.Equal(body.Length.ToString(), (await response).Body);
        Assert.True(upstream.Requests.TryDequeue(out var request));
        Assert.Equal(body, System.Text.Encoding.Latin1.GetBytes(request.Body));
    }
}
