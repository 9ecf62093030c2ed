using System.Net;
using FastGate.Tests.Integration;
using FastGate.Tests.Telemetry.Tracing;

namespace FastGate.Tests.Process;

/// <summary>The native binary sends its spans to a real receiver of each exporter kind.</summary>
public class TracingExportTests
{
    private const string ClientTrace = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpan = "b7ad6b7169203331";

    private static string Tracing(TraceReceiver receiver, TraceReceiver.Kind kind, string sampler = "sampler = \"always\"") => $"""

        [tracing]
        {sampler}
        exporter = "{kind switch { TraceReceiver.Kind.OtlpGrpc => "otlp_grpc", TraceReceiver.Kind.Zipkin => "zipkin", _ => "otlp_http" }}"
        endpoint = "{receiver.Endpoint}"
        export_interval = "100ms"
        service_name = "fastgate-test"

        """;

    [Theory]
    [InlineData(TraceReceiver.Kind.OtlpHttp)]
    [InlineData(TraceReceiver.Kind.OtlpGrpc)]
    [InlineData(TraceReceiver.Kind.Zipkin)]
    public async Task A_sampled_request_reaches_the_backend_as_a_gateway_span_and_an_upstream_span(TraceReceiver.Kind kind)
    {
        await using var receiver = await TraceReceiver.StartAsync(kind);
        await using var upstream = ScriptedUpstream.Ok();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, Tracing(receiver, kind));
        await gateway.WaitForLineAsync(l => l.StartsWith("Tracing: sampler always", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send($"GET /orders/7 HTTP/1.1\r\nHost: shop\r\nX-Request-ID: order-7\r\ntraceparent: 00-{ClientTrace}-{ClientSpan}-01\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var spans = await receiver.WaitForAsync(s => s.Count(x => x.TraceId == ClientTrace) >= 2, TimeSpan.FromSeconds(15));
        var ours = spans.Where(s => s.TraceId == ClientTrace).ToList();
        Assert.True(ours.Count == 2, $"expected 2 spans of the trace, got {ours.Count} (of {spans.Count}); gateway said:\n{string.Join("\n", gateway.Lines)}");
        var server = Assert.Single(ours, s => s.ParentSpanId == ClientSpan);
        var attempt = Assert.Single(ours, s => s.ParentSpanId == server.SpanId);
        Assert.Equal("fastgate-test", server.Service);
        Assert.Equal(("200", "order-7", "all"), (server.Attributes["http.response.status_code"], server.Attributes["fastgate.request_id"],
            server.Attributes["fastgate.route"]));
        Assert.Equal("backend", attempt.Attributes["fastgate.cluster"]);
        Assert.True(upstream.Requests.TryDequeue(out var seen));
        Assert.Equal($"00-{ClientTrace}-{attempt.SpanId}-01", seen!.Header("traceparent"));
    }

    [Fact]
    public async Task The_rate_limited_sampler_holds_its_rate_under_load()
    {
        await using var receiver = await TraceReceiver.StartAsync(TraceReceiver.Kind.OtlpHttp);
        await using var upstream = ScriptedUpstream.Ok();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint,
            Tracing(receiver, TraceReceiver.Kind.OtlpHttp, "sampler = \"rate_limited\"\nrate = 20"));

        var started = DateTime.UtcNow;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                client.Send("GET /load HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
                n++;
            }
            return n;
        })));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var requests = counts.Sum();
        await Task.Delay(1000); // the last batch
        var servers = receiver.Spans.Count(s => s.Kind == 2);
        Assert.True(requests > 20 * seconds * 5, $"only {requests} requests in {seconds:F1} s: not enough load to test the limit");
        Assert.InRange(servers, (int)(20 * seconds * 0.7), (int)(20 * seconds) + 1);
    }
}
