using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using FastGate.Resilience;
using FastGate.Upstreams;

namespace FastGate.Benchmarks;

/// <summary>
/// <see cref="IPassiveMonitor.OnAttempt"/> of outlier detection and the circuit breaker, as each attempt calls it: a
/// success and a failure each (set so that nothing ejects or opens), the pick-time <see cref="CircuitBreaker.TryAdmit"/>
/// of a closed breaker, and <see cref="DestinationState.ReportAttempt"/> through both. Must be 0 B.
/// </summary>
[MemoryDiagnoser]
public class PassiveMonitorBenchmarks
{
    private DestinationState _destination = null!;
    private OutlierDetector _detector = null!;
    private CircuitBreaker _breaker = null!;
    private long _now;

    /// <summary>Each call is 1 ms later, so a window bucket (1 s) takes a thousand calls and never fills (2^21 - 1).</summary>
    private long Next() => _now += Stopwatch.Frequency / 1000;

    [GlobalSetup]
    public void Setup()
    {
        _destination = new DestinationState(new Destination("10.0.0.1:8081", new IPEndPoint(IPAddress.Loopback, 8081)), new ClusterOptions());
        // Thresholds no run reaches, so the benchmark times counting, not state changes.
        _detector = new OutlierDetector(OutlierPolicy.Default with { ConsecutiveFailures = int.MaxValue }, _destination, new EjectionBudget(), "bench",
            TimeProvider.System);
        _breaker = new CircuitBreaker(CircuitBreakerPolicy.Default with { MinRequests = int.MaxValue }, _destination, "bench", TimeProvider.System);
        _destination.Monitors = [_detector, _breaker];
        _now = Stopwatch.GetTimestamp();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _breaker.Dispose();
        _destination.Pool.Dispose();
    }

    [Benchmark]
    public void OutlierSuccess() => _detector.OnAttempt(_destination, AttemptResult.Success, Next());

    [Benchmark]
    public void OutlierFailure() => _detector.OnAttempt(_destination, AttemptResult.ServerError, Next());

    [Benchmark]
    public void BreakerSuccess() => _breaker.OnAttempt(_destination, AttemptResult.Success, Next());

    [Benchmark]
    public void BreakerFailure() => _breaker.OnAttempt(_destination, AttemptResult.ConnectFailure, Next());

    [Benchmark]
    public bool BreakerTryAdmit() => _breaker.TryAdmit(_destination);

    [Benchmark]
    public void ReportAttemptToBoth() => _destination.ReportAttempt(AttemptResult.Success, Next());
}
