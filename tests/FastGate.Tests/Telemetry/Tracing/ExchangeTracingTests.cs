using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastGate.Configuration;
using FastGate.Telemetry.Tracing;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Telemetry.Tracing;

/// <summary>Spans made from the exchange context, and the trace headers the upstream gets, over real sockets.</summary>
public sealed class ExchangeTracingTests : IDisposable
{
    private const string ClientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpan = "00f067aa0ba902b7";

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ExchangeTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == GatewayActivitySource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private static TracingOptions With(ISampler sampler) => TracingOptions.Default with { Sampler = sampler };

    private static async Task<(HttpResponse Response, UpstreamRequest? Upstream)> SendAsync(TracingOptions tracing, string headers,
        IPEndPoint? upstreamEndPoint = null)
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstreamEndPoint ?? upstream.EndPoint], tracing: tracing,
            observers: new TracingObserver());
        using var client = gateway.Connect();
        client.Send($"GET /x?q=1 HTTP/1.1\r\nHost: a\r\nX-Request-ID: req-7\r\n{headers}\r\n");
        var response = await client.ReadResponseAsync();
        upstream.Requests.TryDequeue(out var seen);
        return (response, seen);
    }

    private async Task<List<Activity>> SpansOfAsync(string traceId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var spans = _stopped.Where(a => a.TraceId.ToHexString() == traceId).ToList();
            if (spans.Count >= count || DateTime.UtcNow > deadline) return spans;
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_sampled_request_gets_a_server_span_under_the_clients_and_an_attempt_span_under_it()
    {
        var (response, upstream) = await SendAsync(With(new AlwaysSampler()),
            $"traceparent: 00-{ClientTrace}-{ClientSpan}-01\r\ntracestate: vendor=a\r\ntracestate: other=b\r\n");
        Assert.Equal(200, response.Status);

        var spans = await SpansOfAsync(ClientTrace, 2);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Assert.Equal(ClientSpan, server.ParentSpanId.ToHexString());
        Assert.Equal(server.SpanId, attempt.ParentSpanId);
        Assert.Equal("vendor=a,other=b", server.TraceStateString);
        Assert.Equal("GET /{**rest}", server.DisplayName);
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        Assert.Equal(("all", "req-7", "/x", "q=1"), (server.GetTagItem("fastgate.route"), server.GetTagItem("fastgate.request_id"),
            server.GetTagItem("url.path"), server.GetTagItem("url.query")));
        Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));
        Assert.Equal("backend", attempt.GetTagItem("fastgate.cluster"));
        Assert.True(attempt.StartTimeUtc >= server.StartTimeUtc && attempt.StartTimeUtc + attempt.Duration <= server.StartTimeUtc + server.Duration);

        // The upstream's parent is the attempt span; the client's tracestate goes along, its traceparent does not.
        Assert.Equal($"00-{ClientTrace}-{attempt.SpanId.ToHexString()}-01", upstream!.Header("traceparent"));
        Assert.Single(upstream.Head.Split("\r\n"), l => l.StartsWith("traceparent:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("tracestate: vendor=a", upstream.Head);
    }

    [Fact]
    public async Task Without_a_parent_a_new_trace_starts_and_reaches_the_upstream()
    {
        var (_, upstream) = await SendAsync(With(new AlwaysSampler()), "");
        var forwarded = upstream!.Header("traceparent");
        Assert.NotNull(forwarded);
        var traceId = forwarded.Split('-')[1];
        var spans = await SpansOfAsync(traceId, 2);
        Assert.Equal(2, spans.Count);
        Assert.Equal(default, Assert.Single(spans, s => s.Kind == ActivityKind.Server).ParentSpanId);
    }

    [Fact]
    public async Task An_invalid_traceparent_restarts_the_trace_and_drops_the_tracestate()
    {
        var (_, upstream) = await SendAsync(With(new AlwaysSampler()),
            $"traceparent: 00-{ClientTrace.ToUpperInvariant()}-{ClientSpan}-01\r\ntracestate: vendor=a\r\n");
        var forwarded = upstream!.Header("traceparent")!;
        Assert.DoesNotContain(ClientTrace, forwarded, StringComparison.OrdinalIgnoreCase);
        Assert.Null(upstream.Header("tracestate"));
    }

    [Fact]
    public async Task Not_sampled_the_trace_headers_pass_untouched_and_no_span_is_made()
    {
        var headers = $"traceparent: 00-{ClientTrace}-{ClientSpan}-00\r\ntracestate: vendor=a\r\n";
        foreach (var tracing in new[] { TracingOptions.Default, With(new ParentRatioSampler(1)), With(new RatioSampler(0)) })
        {
            var (response, upstream) = await SendAsync(tracing, headers);
            Assert.Equal(200, response.Status);
            Assert.Equal($"00-{ClientTrace}-{ClientSpan}-00", upstream!.Header("traceparent"));
            Assert.Equal("vendor=a", upstream.Header("tracestate"));
        }
        await Task.Delay(100);
        Assert.DoesNotContain(_stopped, a => a.TraceId.ToHexString() == ClientTrace);
    }

    [Fact]
    public async Task A_failed_attempt_is_an_error_span_and_the_server_span_has_the_502()
    {
        using var refusing = new RefusingPort();
        var dead = refusing.EndPoint;
        var (response, _) = await SendAsync(With(new AlwaysSampler()), $"traceparent: 00-{ClientTrace}-{ClientSpan}-01\r\n", dead);
        Assert.Equal(502, response.Status);
        var spans = await SpansOfAsync(ClientTrace, 2);
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Assert.Equal((ActivityStatusCode.Error, "connect_error"), (attempt.Status, attempt.GetTagItem("error.type")));
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal((502, ActivityStatusCode.Error), (server.GetTagItem("http.response.status_code"), server.Status));
    }

    [Fact]
    public async Task A_request_no_route_takes_has_a_server_span_and_no_attempt()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint], tracing: With(new AlwaysSampler()),
            routes: c => [new FastGate.Routing.Route { Name = "api", Path = "/api/{**rest}", Cluster = c }], observers: new TracingObserver());
        using var client = gateway.Connect();
        client.Send($"GET /elsewhere HTTP/1.1\r\nHost: a\r\ntraceparent: 00-{ClientTrace}-{ClientSpan}-01\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);
        var server = Assert.Single(await SpansOfAsync(ClientTrace, 1));
        Assert.Equal((ActivityKind.Server, "GET", 404), (server.Kind, server.DisplayName, server.GetTagItem("http.response.status_code")));
    }
}
