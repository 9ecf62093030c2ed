using System.Net.Sockets;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Tests.Integration;
using FastGate.Tests.Pipeline;
using FastGate.Upstreams;

namespace FastGate.Tests.Buffering;

/// <summary>
/// Response buffering: a client slower than the upstream does not hold the upstream connection (the response is
/// held in memory or spooled to a file), and still gets every byte, in order.
/// </summary>
public class ResponseSpoolTests
{
    /// <summary>More than loopback socket buffers hold, so a client that reads nothing really backs the response up.</summary>
    private const int BigBody = 24 * 1024 * 1024;

    /// <summary>One connection per destination: a second client is only served once the first one's is released.</summary>
    private static readonly ClusterOptions OneConnection = new()
    {
        MaxConnectionsPerDestination = 1,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ResponseTimeout = TimeSpan.FromSeconds(10),
    };

    [Theory]
    [InlineData("content-length")]
    [InlineData("chunked")]
    [InlineData("close")]
    public async Task AClientThatDoesNotReadReleasesTheUpstreamAndLaterGetsTheWholeBody(string framing)
    {
        var sent = new TaskCompletionSource();
        await using var upstream = BigBodyUpstream(framing, sent);
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], options: OneConnection);

        using var stuck = SlowClient(gateway);
        stuck.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using var other = gateway.Connect();
        other.Send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n");
        var small = await other.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));
        Assert.Equal((200, "small"), (small.Status, small.Body));

        AssertPattern(await ReadBigResponseAsync(stuck));
    }

    [Fact]
    public async Task WithSpoolingOffAResponseWithinTheMemoryBufferIsStillHeld()
    {
        var sent = new TaskCompletionSource();
        await using var upstream = BigBodyUpstream("content-length", sent);
        var limits = new HttpLimits { Spool = false, ResponseBuffer = 2 * BigBody };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits, OneConnection);

        using var stuck = SlowClient(gateway);
        stuck.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(20));
        using var other = gateway.Connect();
        other.Send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await other.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))).Status);

        AssertPattern(await ReadBigResponseAsync(stuck));
    }

    [Theory]
    [InlineData(false, 64 * 1024, 0L)]       // memory only, and the body is larger: back-pressure
    [InlineData(true, 64 * 1024, 1L << 20)]  // the file is capped at 1 MiB: back-pressure once it is full
    public async Task PastWhatMayBeHeldTheUpstreamWaitsForTheClientAndNothingIsLost(bool spool, int memory, long maxFile)
    {
        var sent = new TaskCompletionSource();
        await using var upstream = BigBodyUpstream("content-length", sent);
        var limits = new HttpLimits { Spool = spool, ResponseBuffer = memory, MaxSpoolPerResponse = maxFile };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits, OneConnection);

        using var stuck = SlowClient(gateway);
        stuck.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        await Task.Delay(500);
        Assert.False(sent.Task.IsCompleted, "the upstream sent a body larger than may be held to a client that reads nothing");
        Assert.Equal(1, gateway.Destinations[0].Pool.LeasedConnections);

        AssertPattern(await ReadBigResponseAsync(stuck));
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AClientThatReadsInFitsAndStartsGetsEveryByteInOrder()
    {
        var sent = new TaskCompletionSource();
        await using var upstream = BigBodyUpstream("chunked", sent);
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], options: OneConnection);

        using var client = SlowClient(gateway);
        client.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        // Reading in bursts makes held bytes move to the client while more are still being held.
        AssertPattern(await ReadBigResponseAsync(client, pauseEvery: 3));
    }

    [Fact]
    public async Task AClientThatNeverReadsASpooledResponseIsAbortedAfterTheSendTimeout()
    {
        var sent = new TaskCompletionSource();
        await using var upstream = BigBodyUpstream("content-length", sent);
        var observer = new RecordingObserver();
        var limits = new HttpLimits { SendTimeout = TimeSpan.FromSeconds(1) };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits, OneConnection, observers: observer);

        using var stuck = SlowClient(gateway);
        stuck.Send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var seen = Assert.Single(await observer.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal((ExchangeOutcome.Aborted, ProxyError.ClientSendTimeout), (seen.Outcome, seen.Error));
        Assert.True(await stuck.IsClosedAsync(TimeSpan.FromSeconds(5)), "the stuck client connection stayed open");
        // The upstream connection finished its response and went back to the pool long before.
        Assert.Equal(1, gateway.Destinations[0].Pool.IdleConnections);
    }

    /// <summary>
    /// A client that reads nothing until told to; its receive buffer is left as connected (shrinking it afterwards
    /// leaves a window too small to reopen, and TCP then waits on slow zero-window probes).
    /// </summary>
    private static RawClient SlowClient(TestGateway gateway) => gateway.Connect();

    /// <summary>/small answers "small"; /big sends <see cref="BigBody"/> pattern bytes framed as asked, then sets <paramref name="sent"/>.</summary>
    private static ScriptedUpstream BigBodyUpstream(string framing, TaskCompletionSource sent) => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            if (request.Target == "/small")
            {
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
                continue;
            }
            s.Send(framing switch
            {
                "content-length" => $"HTTP/1.1 200 OK\r\nContent-Length: {BigBody}\r\n\r\n",
                "chunked" => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                _ => "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
            });
            var pattern = Pattern();
            for (var offset = 0; offset < BigBody; offset += 64 * 1024)
            {
                var piece = pattern.AsMemory(offset, Math.Min(64 * 1024, BigBody - offset));
                if (framing == "chunked") s.Send($"{piece.Length:X}\r\n");
                await s.Socket.SendAsync(piece);
                if (framing == "chunked") s.Send("\r\n");
            }
            if (framing == "chunked") s.Send("0\r\n\r\n");
            sent.TrySetResult();
            if (framing == "close") return;
        }
    });

    /// <summary>Reads the /big response to its end (raw, then parsed once: reparsing 24 MB per read would be slow) and returns its body.</summary>
    private static async Task<string> ReadBigResponseAsync(RawClient client, int pauseEvery = 0)
    {
        var buffer = new byte[256 * 1024];
        var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var reads = 1; ; reads++)
        {
            var n = await client.Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) break;
            received.Write(buffer, 0, n);
            var data = received.GetBuffer().AsSpan(0, (int)received.Length);
            var head = data.IndexOf("\r\n\r\n"u8);
            if (head >= 0 && (data.EndsWith("\r\n0\r\n\r\n"u8) || data.Length - head - 4 == BigBody)) break;
            if (pauseEvery > 0 && reads % pauseEvery == 0) await Task.Delay(5);
        }
        var response = HttpResponse.TryParse(received.ToArray(), headRequest: false, out _);
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        return response.Body;
    }

    private static byte[] Pattern()
    {
        var bytes = new byte[BigBody];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i % 251);
        return bytes;
    }

    private static void AssertPattern(string body)
    {
        Assert.Equal(BigBody, body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != (char)(i % 251)) Assert.Fail($"byte {i} is {(int)body[i]}, expected {i % 251}");
        }
    }
}
