namespace FastGate.Resilience;

/// <summary>A circuit breaker's state; the values are those of the <c>fastgate_circuit_breaker_state</c> gauge.</summary>
public enum CircuitState
{
    /// <summary>Requests flow; failures are counted over the window.</summary>
    Closed = 0,
    /// <summary>The destination gets no requests until <c>open_duration</c> has passed.</summary>
    Open = 1,
    /// <summary>Up to <c>half_open_requests</c> trial requests decide between closed and open again.</summary>
    HalfOpen = 2,
}
