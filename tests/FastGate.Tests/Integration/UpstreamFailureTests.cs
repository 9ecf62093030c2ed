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

    /// <summary>An upstream that restarts resets the connections idle in the pool: the next request gets a fresh one, not a closed client.</summary>
    [Fact]
    public async Task AnIdleConnectionResetInThePoolIsReplacedUnseen()
    {
        var first = 1;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            var resetWhenIdle = Interlocked.Exchange(ref first, 0) == 1;
            while (await s.ReadRequestAsync() is { } request)
            {
                s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Target.Length}\r\n\r\n{request.Target}");
                if (!resetWhenIdle) continue;
                await Task.Delay(200); // idle in the gateway's pool by now
                s.Reset();
                return;
            }
        });
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal((200, "/first"), (await client.ReadResponseAsync()) is var one ? (one.Status, one.Body) : default);
        await Task.Delay(500); // the reset has reached the idle connection
        client.Send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");

        var second = await client.ReadResponseAsync();
        Assert.Equal((200, "/second"), (second.Status, second.Body));
        Assert.Equal(2, upstream.AcceptedConnections);
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
