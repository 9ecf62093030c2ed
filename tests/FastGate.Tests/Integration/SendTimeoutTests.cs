using System.Net.Sockets;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Tests.Pipeline;

namespace FastGate.Tests.Integration;

/// <summary><c>limits.send_timeout</c>: a peer that stops taking bytes is aborted and frees what it held.</summary>
public class SendTimeoutTests
{
    /// <summary>More than loopback socket buffers and the gateway's pipes hold together.</summary>
    private const int BigBody = 48 * 1024 * 1024;

    /// <summary>With response buffering off, the stuck client holds its upstream until the send timeout frees both.</summary>
    [Fact]
    public async Task AClientThatStopsReadingIsAbortedAndItsUpstreamConnectionDiscarded()
    {
        var upstreamCut = new TaskCompletionSource<bool>();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {BigBody}\r\n\r\n");
            var chunk = new byte[256 * 1024];
            try
            {
                for (var sent = 0; sent < BigBody; sent += chunk.Length) await s.Socket.SendAsync(chunk);
                upstreamCut.TrySetResult(false);
            }
            catch (SocketException)
            {
                upstreamCut.TrySetResult(true); // the gateway closed its upstream connection
            }
        });
        var observer = new RecordingObserver();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { SendTimeout = TimeSpan.FromSeconds(1), Spool = false, ResponseBuffer = 0 }, observers: observer);

        using var client = gateway.Connect();
        client.Socket.ReceiveBufferSize = 4096;
        client.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        // Never read: the gateway's writes back up, and after send_timeout it must give up on both sides.
        Assert.True(await upstreamCut.Task.WaitAsync(TimeSpan.FromSeconds(20)), "the upstream sent the whole body to a client that reads nothing");
        var seen = Assert.Single(await observer.WaitForAsync(1));
        Assert.Equal((ExchangeOutcome.Aborted, ProxyError.ClientSendTimeout), (seen.Outcome, seen.Error));
        Assert.Equal(0, gateway.Destinations[0].Pool.OpenConnections);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)), "the stuck client connection stayed open");
    }

    [Fact]
    public async Task AnUpstreamThatStopsReadingTheRequestBodyIsAbortedWithA504()
    {
        var upstreamClosed = new TaskCompletionSource<bool>();
        var answered = new TaskCompletionSource();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            // Reads nothing more until the client has its answer: the body backs up into the gateway. Then whatever
            // is buffered is drained, and the connection must be found closed.
            await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            upstreamClosed.TrySetResult(await s.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        });
        var observer = new RecordingObserver();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            limits: new HttpLimits { SendTimeout = TimeSpan.FromSeconds(1) }, observers: observer);

        using var client = gateway.Connect();
        var sending = StartBigUpload(client);

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20));
        Assert.Equal(504, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        answered.SetResult();
        Assert.True(await upstreamClosed.Task.WaitAsync(TimeSpan.FromSeconds(25)), "the upstream connection stayed open");
        var seen = Assert.Single(await observer.WaitForAsync(1));
        Assert.Equal(ProxyError.UpstreamSendTimeout, seen.Error);
        client.Dispose();
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnEarlyAnswerFreesItsUpstreamAtOnceWhileTheBodyIsStillArriving()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            await Task.Delay(1000); // the body backs up first: the relay is stuck flushing to this upstream
            s.Send("HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nbig!");
            await Task.Delay(TimeSpan.FromSeconds(20)); // never reads the body
        });
        var observer = new RecordingObserver();
        // The default send timeout (60 s): the exchange must not wait for it to end the stuck body relay.
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], observers: observer);

        using var client = gateway.Connect();
        var sending = StartBigUpload(client);

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(413, response.Status);
        Assert.Equal("big!", response.Body);
        var seen = Assert.Single(await observer.WaitForAsync(1, TimeSpan.FromSeconds(5)));
        Assert.Equal(413, seen.Status);
        Assert.Equal(0, gateway.Destinations[0].Pool.OpenConnections);
        client.Dispose();
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends a POST head announcing <see cref="BigBody"/> bytes, then the body as fast as the gateway takes it.</summary>
    private static Task StartBigUpload(RawClient client)
    {
        client.Send($"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: {BigBody}\r\n\r\n");
        var chunk = new byte[256 * 1024];
        return Task.Run(async () =>
        {
            try { for (var sent = 0; sent < BigBody; sent += chunk.Length) await client.Socket.SendAsync(chunk); }
            catch (SocketException) { /* the gateway closes the connection after answering */ }
        });
    }
}
