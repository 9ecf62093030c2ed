using FastGate.Http;
using FastGate.Upstreams;

namespace FastGate.Tests.Integration;

public class TimeoutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task IdleClientConnectionIsClosedSilentlyAfterTheKeepAliveTimeout()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { KeepAliveTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        Assert.Equal("", await client.ReadToEndAsync(Wait));
    }

    [Fact]
    public async Task StalledRequestBodyGives408()
    {
        var upstreamClosed = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            upstreamClosed.SetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { KeepAliveTimeout = TimeSpan.FromSeconds(1), RequestBuffer = 0 });
        using var client = gateway.Connect();

        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello");
        var response = await client.ReadResponseAsync(timeout: Wait);

        Assert.Equal(408, response.Status);
        Assert.True(await client.IsClosedAsync(Wait));
        Assert.True(await upstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task StalledResponseBodyClosesTheClientConnection()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            options: new ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var all = await client.ReadToEndAsync(Wait);

        Assert.StartsWith("HTTP/1.1 200 OK", all);
        Assert.EndsWith("hello", all);
    }

    [Fact]
    public async Task SlowUploadLongerThanTheResponseTimeoutIsNotA504()
    {
        await using var upstream = ScriptedUpstream.Ok("got it");
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            options: new ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.Connect();

        // The response timeout is the upstream's time to answer; a client still uploading is not the upstream's fault.
        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
        var uploading = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await Task.Delay(400);
                client.Send("ab");
            }
        });
        var response = await client.ReadResponseAsync(timeout: Wait);

        Assert.Equal(200, response.Status);
        Assert.Equal("got it", response.Body);
        await uploading.WaitAsync(Wait);
    }
}
