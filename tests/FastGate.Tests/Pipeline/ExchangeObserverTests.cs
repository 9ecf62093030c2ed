using System.Net;
using System.Net.Sockets;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Routing;
using FastGate.Tests.Integration;
using FastGate.Upstreams;

namespace FastGate.Tests.Pipeline;

/// <summary>Every exchange reaches the observers exactly once, whatever way it ends.</summary>
public class ExchangeObserverTests
{
    private static Task<TestGateway> StartAsync(IPEndPoint upstream, RecordingObserver observer, HttpLimits? limits = null,
        ClusterOptions? options = null) =>
        TestGateway.StartAsync([upstream], limits, options, routes: c => [new Route { Name = "api", Path = "/api/{**rest}", Cluster = c }],
            observers: observer);

    [Fact]
    public async Task ProxiedPipelinedAndLocalExchangesAreEachReportedOnce()
    {
        await using var upstream = ScriptedUpstream.Ok("hello");
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer);
        using var client = gateway.Connect();

        client.Send("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\nGET /api/b HTTP/1.1\r\nHost: a\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);

        var seen = await observer.WaitForAsync(3);
        Assert.Equal(["/api/a", "/api/b", "/nowhere"], seen.Select(s => s.Path));
        foreach (var proxied in seen[..2])
        {
            Assert.Equal((200, ExchangeOutcome.Proxied, ProxyError.None, "api"), (proxied.Status, proxied.Outcome, proxied.Error, proxied.Route));
            Assert.Equal(upstream.EndPoint.ToString(), proxied.Destination);
            Assert.Equal(5, proxied.ResponseBodyBytes);
            Assert.True(proxied.RoutedAt > 0 && proxied.ResponseHeadAt >= proxied.RoutedAt && proxied.CompletedAt >= proxied.ResponseHeadAt);
        }
        Assert.Equal((404, ExchangeOutcome.Local, ProxyError.NoRoute, null), (seen[2].Status, seen[2].Outcome, seen[2].Error, seen[2].Route));
    }

    [Fact]
    public async Task AMalformedRequestIsReportedOnce()
    {
        await using var upstream = ScriptedUpstream.Ok();
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer);
        using var client = gateway.Connect();
        client.Send("GET /api/x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        var seen = Assert.Single(await observer.WaitForAsync(1));
        Assert.Equal((400, ExchangeOutcome.Local, ProxyError.BadRequest), (seen.Status, seen.Outcome, seen.Error));
    }

    [Fact]
    public async Task AnUpstreamFailureIsReportedOnce()
    {
        using var refusing = new RefusingPort();
        var dead = refusing.EndPoint;
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(dead, observer);
        using var client = gateway.Connect();
        client.Send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
        var seen = Assert.Single(await observer.WaitForAsync(1));
        Assert.Equal((502, ExchangeOutcome.Local, ProxyError.UpstreamConnectFailed, dead.ToString()),
            (seen.Status, seen.Outcome, seen.Error, seen.Destination));
    }

    [Fact]
    public async Task AClientThatLeavesMidBodyIsReportedOnceAsAborted()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync(readBody: false);
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        });
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer);
        using (var client = gateway.Connect())
        {
            client.Send("POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000));
            await Task.Delay(200);
        }
        var seen = Assert.Single(await observer.WaitForAsync(1));
        Assert.Equal((0, ExchangeOutcome.Aborted, ProxyError.ClientAborted), (seen.Status, seen.Outcome, seen.Error));
    }

    [Fact]
    public async Task AClientThatLeavesMidResponseIsReportedOnceAsAborted()
    {
        var sent = new TaskCompletionSource();
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
            sent.SetResult();
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        });
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer);
        using (var client = gateway.Connect())
        {
            client.Send("GET /api/big HTTP/1.1\r\nHost: a\r\n\r\n");
            await client.ReadUntilAsync("partial");
            await sent.Task;
        }
        var seen = Assert.Single(await observer.WaitForAsync(1, TimeSpan.FromSeconds(15)));
        Assert.Equal(200, seen.Status);
        Assert.Equal(ExchangeOutcome.Aborted, seen.Outcome);
    }

    [Fact]
    public async Task TimeoutsAreReportedOnce()
    {
        await using var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            await s.WaitForCloseAsync(TimeSpan.FromSeconds(10)); // never answers
        });
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer,
            limits: new HttpLimits { HeaderTimeout = TimeSpan.FromSeconds(1) },
            options: new ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) });

        using var slowUpstream = gateway.Connect();
        slowUpstream.Send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(504, (await slowUpstream.ReadResponseAsync()).Status);
        using var slowClient = gateway.Connect();
        slowClient.Send("GET /api/x HTTP/1.1\r\nHost: a\r\n");
        Assert.Equal(408, (await slowClient.ReadResponseAsync()).Status);

        var seen = await observer.WaitForAsync(2);
        Assert.Equal(2, seen.Length);
        Assert.Contains(seen, s => s is { Status: 504, Outcome: ExchangeOutcome.Local, Error: ProxyError.UpstreamTimeout });
        Assert.Contains(seen, s => s is { Status: 408, Outcome: ExchangeOutcome.Local, Error: ProxyError.RequestTimeout });
    }

    [Fact]
    public async Task AnIdleKeepAliveConnectionClosingIsNotAnExchange()
    {
        await using var upstream = ScriptedUpstream.Ok();
        var observer = new RecordingObserver();
        await using var gateway = await StartAsync(upstream.EndPoint, observer, limits: new HttpLimits { KeepAliveTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.Connect();
        client.Send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(await observer.WaitForAsync(2, TimeSpan.FromSeconds(1)));
    }
}
