namespace FastGate.Upstreams;

/// <summary>
/// Watches the attempts sent to a destination (outlier detection, circuit breaker) and takes it out of, or puts it
/// back into, its clusters' available sets through <see cref="DestinationState.SetDown"/>. Called on the hot path
/// once per attempt: lock-free and allocation-free in steady state.
/// </summary>
public interface IPassiveMonitor
{
    void OnAttempt(DestinationState destination, AttemptResult result, long timestamp);

    /// <summary>
    /// Asked when the destination is picked for an attempt: false refuses it (a half-open breaker past its trial
    /// requests), and the request goes to another destination as if this one had been tried.
    /// </summary>
    bool TryAdmit(DestinationState destination) => true;
}
