using System.Buffers;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Balancing;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Routing;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>Step 6: <see cref="RequestHeadWriter.Write"/> of the parsed browser GET, as sent to the upstream.</summary>
[MemoryDiagnoser]
public class RequestHeadWriterBenchmarks
{
    private readonly RequestHead _head = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private Route _plain = null!, _rewriting = null!;
    private Destination _destination = null!;
    private ClientInfo _client = null!;
    private static ReadOnlySpan<byte> RequestId => "0b6a3c1e-58d2-4f7a-9e41-6c2d8f0a7b13"u8;

    [GlobalSetup]
    public void Setup()
    {
        var options = new ClusterOptions();
        _destination = new Destination("10.0.0.1:8080", new IPEndPoint(IPAddress.Loopback, 8080));
        var cluster = new Cluster("backend", [_destination], RoundRobinBalancer.ConfigName, options);
        _plain = new Route { Name = "app", Path = "/app/{**rest}", Cluster = cluster };
        _rewriting = new Route
        {
            Name = "app-v2", Path = "/app/{**rest}", Cluster = cluster,
            StripPrefix = Encoding.ASCII.GetBytes("/app"), AddPrefix = Encoding.ASCII.GetBytes("/v2"),
            HostHeader = HostHeaderMode.Destination,
        };
        _client = new ClientInfo(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), isHttps: true, trustedProxies: []);

        var status = new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Samples.BrowserGet), _head,
            HttpLimits.Default, out _, out _);
        if (status != ParseStatus.Complete) throw new InvalidOperationException("sample request did not parse");
    }

    /// <summary>Path forwarded as is, client Host kept.</summary>
    [Benchmark]
    public int BrowserGet()
    {
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _head, _plain, _destination, _client, "X-Request-ID"u8, RequestId);
        return _output.WrittenCount;
    }

    /// <summary>strip_prefix "/app", add_prefix "/v2", Host set to the destination.</summary>
    [Benchmark]
    public int BrowserGetRewritten()
    {
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _head, _rewriting, _destination, _client, "X-Request-ID"u8, RequestId);
        return _output.WrittenCount;
    }
}
