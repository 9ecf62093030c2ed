using System.Net;
using BenchmarkDotNet.Attributes;
using FastGate.Balancing;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>
/// Step 5: <see cref="IBalancer.Pick"/> over 4 destinations. The single-thread methods time one pick. The two-thread
/// methods time <see cref="PicksPerThread"/> picks on this thread while a worker started in [GlobalSetup] does the same
/// on the same balancer, so the shared round-robin counter is contended; the result is wall time per pick.
/// </summary>
[MemoryDiagnoser]
public class BalancerBenchmarks
{
    /// <summary>The exchange being balanced; round robin and least connections do not look at it.</summary>
    private static readonly ExchangeContext Context = new();

    private const int PicksPerThread = 16_384;

    private readonly RoundRobinBalancer _roundRobin = new();
    private readonly LeastConnectionsBalancer _leastConnections = new();
    private DestinationState[] _destinations = [];

    private SecondThread? _worker;
    private Func<int> _roundRobinMany = null!, _leastConnectionsMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        _destinations = new DestinationState[4];
        for (var i = 0; i < _destinations.Length; i++)
        {
            var port = 8081 + i;
            _destinations[i] = new DestinationState(new Destination($"10.0.0.{i + 1}:{port}", new IPEndPoint(IPAddress.Loopback, port)), new ClusterOptions());
            for (var n = 0; n < i % 3; n++) _destinations[i].OnRequestStart(); // uneven load: 0, 1, 2, 0 in flight
        }
        _roundRobinMany = () => PickMany(_roundRobin, _destinations);
        _leastConnectionsMany = () => PickMany(_leastConnections, _destinations);
        _worker = new SecondThread("bench-picker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.Dispose();
        foreach (var d in _destinations) d.Pool.Dispose();
    }

    [Benchmark]
    public DestinationState? RoundRobin() => _roundRobin.Pick(Context, _destinations);

    [Benchmark]
    public DestinationState? LeastConnections() => _leastConnections.Pick(Context, _destinations);

    [Benchmark(OperationsPerInvoke = 2 * PicksPerThread)]
    public int RoundRobinTwoThreads() => _worker!.RunOnBoth(_roundRobinMany);

    [Benchmark(OperationsPerInvoke = 2 * PicksPerThread)]
    public int LeastConnectionsTwoThreads() => _worker!.RunOnBoth(_leastConnectionsMany);

    private static int PickMany(IBalancer balancer, DestinationState[] destinations)
    {
        var sink = 0;
        for (var i = 0; i < PicksPerThread; i++) sink += balancer.Pick(Context, destinations)!.Config.Weight;
        return sink;
    }
}
