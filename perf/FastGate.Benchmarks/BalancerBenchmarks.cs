using System.Net;
using BenchmarkDotNet.Attributes;
using FastGate.Balancing;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>
/// <see cref="IBalancer.Pick"/> of every balancer over 4 destinations (weights 1, 3, 1, 2; uneven load; latencies
/// observed for peak_ewma). <see cref="Pick"/> times one pick on one thread. <see cref="PickTwoThreads"/> times
/// <see cref="PicksPerThread"/> picks on this thread while a worker started in [GlobalSetup] does the same on the
/// same balancer, so its shared state (counters, schedules, EWMAs) is contended; the result is wall time per pick.
/// </summary>
[MemoryDiagnoser]
public class BalancerBenchmarks
{
    private const int PicksPerThread = 16_384;

    /// <summary>The exchange being balanced: ip_hash hashes its client address.</summary>
    private readonly ExchangeContext _context = new();

    private IBalancer _balancer = null!;
    private DestinationState[] _destinations = [];
    private SecondThread? _worker;
    private Func<int> _pickMany = null!;

    [Params("round_robin", "least_connections", "weighted_round_robin", "ip_hash", "random", "peak_ewma")]
    public string Balancer { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _balancer = BalancerFactory.Create(Balancer);
        _context.Bind(null!, null!, null!, null!, new ClientInfo(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000), false, []), []);
        int[] weights = [1, 3, 1, 2];
        _destinations = new DestinationState[weights.Length];
        for (var i = 0; i < _destinations.Length; i++)
        {
            var port = 8081 + i;
            var destination = new Destination($"10.0.0.{i + 1}:{port}", new IPEndPoint(IPAddress.Loopback, port), weights[i]);
            _destinations[i] = new DestinationState(destination, new ClusterOptions());
            for (var n = 0; n < i % 3; n++) _destinations[i].OnRequestStart(); // uneven load: 0, 1, 2, 0 in flight
            _destinations[i].Latency.Observe(500 * (i + 1), System.Diagnostics.Stopwatch.GetTimestamp());
        }
        _pickMany = PickMany;
        _worker = new SecondThread("bench-picker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.Dispose();
        foreach (var d in _destinations) d.Pool.Dispose();
    }

    [Benchmark]
    public DestinationState? Pick() => _balancer.Pick(_context, _destinations);

    [Benchmark(OperationsPerInvoke = 2 * PicksPerThread)]
    public int PickTwoThreads() => _worker!.RunOnBoth(_pickMany);

    private int PickMany()
    {
        var sink = 0;
        for (var i = 0; i < PicksPerThread; i++) sink += _balancer.Pick(_context, _destinations)!.Config.Weight;
        return sink;
    }
}
