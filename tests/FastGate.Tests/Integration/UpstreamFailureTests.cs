using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FastGate.Tests.Integration;

public class UpstreamFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task RefusedConnectionGives502()
    {
        using var refusing = new RefusingPort();
        var nothing = refusing.EndPoint;
        await using var gateway = await TestGateway.StartAsync([nothing]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ResetBeforeAnsweringGives502()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Reset();
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ResetMidBodyClosesTheClientConnectionWithoutASecondResponse()
    {
        var clientSawPartialBody = new TaskCompletionSource();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            await clientSawPartialBody.Task.WaitAsync(Wait);
            s.Reset();
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var received = await client.ReadUntilAsync("partial");
        clientSawPartialBody.SetResult();
        var rest = await client.ReadToEndAsync(Wait);

        Assert.StartsWith("HTTP/1.1 200 OK", received);
        Assert.Equal("", rest);
    }

    [Fact]
    public async Task SilentUpstreamGives504AfterTheResponseTimeout()
    {
        var upstreamClosed = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            upstreamClosed.SetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        });
        var options = new FastGate.Upstreams.ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], options: options);
        using var client = gateway.Connect();

        var clock = Stopwatch.StartNew();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(504, response.Status);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.True(await upstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the timed-out upstream connection stays open");
    }
}
