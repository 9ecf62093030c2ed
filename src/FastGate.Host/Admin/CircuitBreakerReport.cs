using System.Diagnostics;
using FastGate.Resilience;

namespace FastGate.Host.Admin;

/// <summary>
/// A destination's circuit breaker in <c>/admin/upstreams</c>: its state (closed, open, half_open), when an open one
/// goes half-open (UTC), the trials admitted while half-open, the window's attempts and failures, and transitions.
/// </summary>
internal sealed record CircuitBreakerReport(string State, DateTimeOffset? HalfOpenAt, int Trials, int WindowRequests, int WindowFailures,
    long Opened, long HalfOpened, long Closed)
{
    public static CircuitBreakerReport? Of(CircuitBreaker? breaker)
    {
        if (breaker is null) return null;
        var (requests, failures) = breaker.WindowCounts(Stopwatch.GetTimestamp());
        var halfOpenAt = breaker.HalfOpenAt;
        return new CircuitBreakerReport(Name(breaker.State), halfOpenAt == 0 ? null : OutlierReport.UtcAt(halfOpenAt), breaker.Trials, requests, failures,
            breaker.TransitionsTo(CircuitState.Open), breaker.TransitionsTo(CircuitState.HalfOpen), breaker.TransitionsTo(CircuitState.Closed));
    }

    private static string Name(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}
