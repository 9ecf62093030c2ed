using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using FastGate.Proxy;
using FastGate.Routing;
using FastGate.Telemetry;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>
/// Phase 7: recording one proxied exchange into the metrics, as <see cref="MetricsObserver"/> does for every
/// request: the route's request counter and latency histograms (total, connect, first byte, upstream) and the
/// destination's outcome counter and histograms. Target: under 100 ns and 0 B.
/// </summary>
[MemoryDiagnoser]
public class MetricsObserverBenchmarks
{
    private readonly ExchangeContext _context = new();
    private MetricsObserver _observer = null!;
    private DestinationState _destination = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new ClusterOptions();
        var cluster = new Cluster("backend", [new Destination("127.0.0.1:9001", new IPEndPoint(IPAddress.Loopback, 9001))], "round_robin", options);
        var route = new Route { Name = "api", Path = "/api/{**rest}", Cluster = cluster };
        var routes = new RouteStatsRegistry();
        routes.Bind([route]);
        _observer = new MetricsObserver(routes);
        _destination = new DestinationState(cluster.Destinations[0], options);

        var now = Stopwatch.GetTimestamp();
        var tick = Stopwatch.Frequency / 1_000_000; // 1 µs
        _context.Route = route;
        _context.Destination = _destination;
        _context.Status = 200;
        _context.StartedAt = now;
        _context.RoutedAt = now + 3 * tick;
        _context.UpstreamConnectedAt = now + 10 * tick;
        _context.ResponseHeadAt = now + 400 * tick;
        _context.CompletedAt = now + 420 * tick;
        // Every stripe's recorders exist before measuring, as they do once a loop has recorded once.
        _observer.OnExchangeCompleted(_context);
    }

    [GlobalCleanup]
    public void Cleanup() => _destination.Pool.Dispose();

    [Benchmark]
    public void RecordOneExchange() => _observer.OnExchangeCompleted(_context);
}
