namespace FastGate.Resilience;

/// <summary>
/// A cluster's <c>circuit_breaker = { failure_rate, window, min_requests, open_duration, half_open_requests }</c>,
/// as configured; <see cref="FailureRate"/> is a percentage.
/// </summary>
public sealed record CircuitBreakerPolicy(double FailureRate, TimeSpan Window, int MinRequests, TimeSpan OpenDuration, int HalfOpenRequests)
{
    public static readonly CircuitBreakerPolicy Default = new(50, TimeSpan.FromSeconds(10), 20, TimeSpan.FromSeconds(30), 3);

    /// <summary>Whether <paramref name="failures"/> of <paramref name="requests"/> trip the breaker.</summary>
    public bool Trips(int requests, int failures) => requests >= MinRequests && failures * 100.0 >= FailureRate * requests;
}
