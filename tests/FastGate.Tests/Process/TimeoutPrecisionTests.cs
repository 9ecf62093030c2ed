using System.Diagnostics;
using System.Net;
using FastGate.Tests.Integration;
using Xunit.Abstractions;

namespace FastGate.Tests.Process;

/// <summary>
/// Each timeout fires within its bound and 10 % past it, never before: response (504), whole request (504) and body
/// (the response cut off), by the gateway's own clock (the access log's <c>duration_ms</c>, from the request head to
/// the end); the client sees the answer no earlier. Run alone, after the parallel tests.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class TimeoutPrecisionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(500);

    /// <summary>/head answers after 3 s; /body sends half its body, then the rest 3 s later.</summary>
    private static ScriptedUpstream Late() => new(async s =>
    {
        while (await s.ReadRequestAsync() is { } request)
        {
            if (request.Target == "/head")
            {
                await Task.Delay(3000);
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                continue;
            }
            s.Send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nha");
            await Task.Delay(3000);
            s.Send("lf");
        }
    });

    [Theory]
    [InlineData("response_timeout", "/head")]
    [InlineData("request_timeout", "/head")]
    [InlineData("body_timeout", "/body")]
    public async Task A_timeout_fires_within_ten_percent_past_its_bound(string key, string path)
    {
        await using var upstream = Late();
        using var log = new LogFile();
        using var gateway = await GatewayProcess.StartAsync($$"""
            [access_log]
            output = {{log.Toml}}
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            {{key}} = "{{Bound.TotalMilliseconds}}ms"
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            """);
        const int requests = 3;
        for (var i = 0; i < requests; i++)
        {
            using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
            var watch = Stopwatch.StartNew();
            client.Send($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
            if (path == "/head")
                Assert.Equal(504, (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))).Status);
            else
                await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))); // cut off mid-body
            var took = watch.Elapsed;
            Assert.True(took >= Bound, $"answered after {took.TotalMilliseconds} ms");
            output.WriteLine($"{key}: the client saw the end after {took.TotalMilliseconds:F1} ms");
        }
        foreach (var line in await log.WaitForLinesAsync(requests))
        {
            var duration = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("duration_ms").GetDouble();
            output.WriteLine($"{key}: duration_ms {duration}");
            Assert.InRange(duration, Bound.TotalMilliseconds, Bound.TotalMilliseconds * 1.1);
        }
    }
}
