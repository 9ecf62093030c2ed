using System.Diagnostics;
using FastGate.Http;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Buffering;

/// <summary>
/// Request buffering: no upstream connection is leased until <c>limits.request_buffer</c> bytes of the body (or all
/// of a smaller one) have arrived, and <c>limits.min_request_body_rate</c> ends a body that dribbles.
/// </summary>
public class RequestBodyBufferingTests
{
    private static readonly HttpLimits QuickRate = new() { MinRequestBodyRateGrace = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task ASmallBodyReachesTheUpstreamOnlyOnceItIsWhole()
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello");
        await Task.Delay(300);
        Assert.Equal(0, upstream.AcceptedConnections);
        client.Send("world");

        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "helloworld"), (response.Status, response.Body));
    }

    [Fact]
    public async Task AChunkedBodyIsForwardedOnceItsLastChunkArrived()
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        await Task.Delay(300);
        Assert.Equal(0, upstream.AcceptedConnections);
        foreach (var b in "5\r\nworld\r\n0\r\n\r\n") client.Send(b.ToString()); // the end, a byte at a time

        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "helloworld"), (response.Status, response.Body));
    }

    [Fact]
    public async Task ALargeBodyIsStreamedOnceTheBufferIsFull()
    {
        await using var upstream = EchoUpstream();
        var limits = new HttpLimits { RequestBuffer = 16 * 1024 };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits);
        using var client = gateway.Connect();

        const int length = 256 * 1024;
        client.Send($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {length}\r\n\r\n");
        client.Send(new byte[8 * 1024]);
        await Task.Delay(300);
        Assert.Equal(0, upstream.AcceptedConnections);
        client.Send(new byte[8 * 1024]);
        await WaitUntilAsync(() => upstream.AcceptedConnections == 1);
        client.Send(new byte[length - 16 * 1024]);

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20));
        Assert.Equal((200, length), (response.Status, response.Body.Length));
    }

    [Theory]
    [InlineData("Content-Length: 100000\r\n\r\n0123456789")]                     // stops
    [InlineData("Transfer-Encoding: chunked\r\n\r\n186A0\r\n0123456789")]          // chunked, stops
    public async Task ABodyThatStopsGets408AndNeverReachesTheUpstream(string rest)
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], QuickRate);
        using var client = gateway.Connect();

        var started = Stopwatch.StartNew();
        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\n" + rest);
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(408, response.Status);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(5));
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Theory]
    [InlineData(64 * 1024)] // ended while buffering: no upstream is ever asked
    [InlineData(0)]         // streamed: ended by the relay, and the upstream connection is dropped
    public async Task ABodyThatDribblesSlowerThanTheMinimumRateGets408(int requestBuffer)
    {
        await using var upstream = EchoUpstream();
        var limits = QuickRate with { MinRequestBodyRate = 100, RequestBuffer = requestBuffer };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits);
        using var client = gateway.Connect();

        // 20 bytes a second: never idle for long, but slower than 100 B/s once the grace second is over.
        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
        var started = Stopwatch.StartNew();
        var reading = client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));
        while (!reading.IsCompleted && started.Elapsed < TimeSpan.FromSeconds(8))
        {
            try { client.Send("x"); } catch (System.Net.Sockets.SocketException) { break; }
            await Task.Delay(50);
        }

        var response = await reading;
        Assert.Equal(408, response.Status);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(5));
        Assert.Equal(requestBuffer == 0 ? 1 : 0, upstream.AcceptedConnections);
        Assert.Equal(0, gateway.Destinations[0].Pool.OpenConnections);
    }

    [Fact]
    public async Task ABodyFasterThanTheMinimumRateIsNotCutOff()
    {
        await using var upstream = EchoUpstream();
        // A longer grace than the other tests: a test process stalled by a busy machine must not look like a slow body.
        var limits = new HttpLimits { MinRequestBodyRate = 100, MinRequestBodyRateGrace = TimeSpan.FromSeconds(3), RequestBuffer = 0 };
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], limits);
        using var client = gateway.Connect();

        // 1,000 B/s for 4 s, past the grace, streamed (no buffer), so the relay's rate check is the one at work.
        const int length = 4000;
        client.Send($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {length}\r\n\r\n");
        for (var sent = 0; sent < length; sent += 100)
        {
            client.Send(new string('y', 100));
            await Task.Delay(100);
        }

        var response = await client.ReadResponseAsync();
        Assert.Equal((200, length), (response.Status, response.Body.Length));
    }

    [Fact]
    public async Task AnInvalidChunkFoundWhileBufferingGets400WithoutAnUpstream()
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n");

        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitFoundWhileBufferingGets413()
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], new HttpLimits { MaxRequestBodyBytes = 10 });
        using var client = gateway.Connect();

        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n");

        Assert.Equal(413, (await client.ReadResponseAsync()).Status);
        Assert.Equal(0, upstream.AcceptedConnections);
    }

    [Fact]
    public async Task AClientThatExpects100ContinueGetsItBeforeAnyUpstreamIsAsked()
    {
        await using var upstream = EchoUpstream();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint]);
        using var client = gateway.Connect();

        client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 100 Continue\r\n", await client.ReadUntilAsync("\r\n\r\n"));
        Assert.Equal(0, upstream.AcceptedConnections);
        client.Send("hello");

        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "hello"), (response.Status, response.Body));
        Assert.Equal("hello", Assert.Single(upstream.Requests).Body);
    }

    /// <summary>Answers each request with its own body.</summary>
    private static ScriptedUpstream EchoUpstream() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
            s.Send($"HTTP/1.1 200 OK\r\nContent-Length: {request.Body.Length}\r\n\r\n{request.Body}");
    });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5)) Assert.Fail("condition not met within 5 s");
            await Task.Delay(20);
        }
    }
}
