using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace FastGate.Tests.Telemetry.Tracing;

/// <summary>
/// An in-test trace backend on a free port: OTLP over HTTP (protobuf, <c>POST /v1/traces</c>), OTLP over gRPC
/// (h2c, <c>TraceService/Export</c>), or Zipkin (JSON v2, <c>POST /api/v2/spans</c>). It keeps what it received.
/// </summary>
public sealed class TraceReceiver : IAsyncDisposable
{
    public enum Kind { OtlpHttp, OtlpGrpc, Zipkin }

    private readonly WebApplication _app;

    private TraceReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
    public int Posts;

    public static async Task<TraceReceiver> StartAsync(Kind kind)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0,
            l => l.Protocols = kind == Kind.OtlpGrpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        TraceReceiver? receiver = null;
        app.MapPost("/v1/traces", async context =>
        {
            var body = await ReadAllAsync(context.Request.Body);
            Interlocked.Increment(ref receiver!.Posts);
            foreach (var span in OtlpDecoder.Decode(body)) receiver.Spans.Enqueue(span);
            context.Response.ContentType = "application/x-protobuf";
        });
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", async context =>
        {
            var body = await ReadAllAsync(context.Request.Body);
            Interlocked.Increment(ref receiver!.Posts);
            // gRPC framing: 1 byte compressed flag, 4 bytes big-endian length, then the message.
            foreach (var span in OtlpDecoder.Decode(body.AsSpan(5))) receiver.Spans.Enqueue(span);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        app.MapPost("/api/v2/spans", async context =>
        {
            var body = await ReadAllAsync(context.Request.Body);
            Interlocked.Increment(ref receiver!.Posts);
            foreach (var span in ZipkinSpans(body)) receiver.Spans.Enqueue(span);
            context.Response.StatusCode = 202;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var path = kind switch { Kind.OtlpHttp => "/v1/traces", Kind.Zipkin => "/api/v2/spans", _ => "" };
        receiver = new TraceReceiver(app, new Uri($"http://127.0.0.1:{address.Port}{path}"));
        return receiver;
    }

    /// <summary>Waits until <paramref name="match"/> holds for what was received, or the timeout.</summary>
    public async Task<List<ReceivedSpan>> WaitForAsync(Func<List<ReceivedSpan>, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans.ToList();
            if (match(spans) || DateTime.UtcNow > deadline) return spans;
            await Task.Delay(50);
        }
    }

    private static IEnumerable<ReceivedSpan> ZipkinSpans(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var spans = new List<ReceivedSpan>();
        foreach (var span in json.RootElement.EnumerateArray())
        {
            var tags = new Dictionary<string, string>();
            if (span.TryGetProperty("tags", out var t))
                foreach (var tag in t.EnumerateObject()) tags[tag.Name] = tag.Value.ToString();
            var kind = span.TryGetProperty("kind", out var k) ? k.GetString() switch { "SERVER" => 2, "CLIENT" => 3, _ => 1 } : 1;
            spans.Add(new ReceivedSpan(span.GetProperty("traceId").GetString()!, span.GetProperty("id").GetString()!,
                span.TryGetProperty("parentId", out var p) ? p.GetString()! : "", span.GetProperty("name").GetString()!, kind, tags,
                span.GetProperty("localEndpoint").GetProperty("serviceName").GetString()!));
        }
        return spans;
    }

    private static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
