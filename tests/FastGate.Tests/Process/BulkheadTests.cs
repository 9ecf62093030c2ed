using System.Net;
using System.Net.Http;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>clusters.NAME.bulkhead in the native binary: the limit, the bounded queue and its timeout.</summary>
public class BulkheadTests
{
    [Fact]
    public async Task Beyond_the_limit_requests_queue_briefly_and_beyond_the_queue_they_get_503_at_once()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is { } request)
            {
                Interlocked.Increment(ref arrived);
                if (request.Target == "/hold") await release.Task;
                s.Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        using var gateway = await GatewayProcess.StartAsync($$"""
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            bulkhead = { max_concurrent = 2, max_queue = 1, queue_timeout = "400ms" }
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            """);
        var endPoint = new IPEndPoint(IPAddress.Loopback, gateway.Port);
        var clients = Enumerable.Range(0, 4).Select(_ => RawClient.Connect(endPoint)).ToList();
        try
        {
            clients[0].Send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            clients[1].Send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (Volatile.Read(ref arrived) < 2 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.Equal(2, Volatile.Read(ref arrived));

            clients[2].Send("GET /queued HTTP/1.1\r\nHost: a\r\n\r\n"); // waits in the queue
            await Task.Delay(100);
            clients[3].Send("GET /refused HTTP/1.1\r\nHost: a\r\n\r\n"); // the queue is full: refused at once
            var refused = await clients[3].ReadResponseAsync(timeout: TimeSpan.FromSeconds(2));
            Assert.Equal(503, refused.Status);
            var timedOut = await clients[2].ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));
            Assert.Equal(503, timedOut.Status); // its 400 ms in the queue ran out
            Assert.Equal(2, Volatile.Read(ref arrived)); // neither reached the upstream

            // A request queued while one is inside gets in as soon as that one leaves.
            clients[2].Dispose();
            clients[2] = RawClient.Connect(endPoint);
            clients[2].Send("GET /queued HTTP/1.1\r\nHost: a\r\n\r\n");
            await Task.Delay(100);
            release.SetResult();
            foreach (var client in clients.Take(3)) Assert.Equal(200, (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))).Status);

            using var http = new HttpClient();
            var metrics = await http.GetStringAsync(new Uri(await gateway.AdminAsync(), "/metrics"));
            Assert.Contains("fastgate_bulkhead_rejected_total{cluster=\"backend\"} 2", metrics);
            Assert.Contains("fastgate_bulkhead_active{cluster=\"backend\"} 0", metrics);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }
}
