namespace FastGate.Health;

/// <summary>What the active health checks last decided about a destination.</summary>
public enum HealthStatus
{
    /// <summary>Takes requests (the state a destination starts in: it is dropped only once its probes fail).</summary>
    Healthy,
    /// <summary>Failed <c>unhealthy_threshold</c> probes in a row; out of its clusters' available sets.</summary>
    Unhealthy,
}
