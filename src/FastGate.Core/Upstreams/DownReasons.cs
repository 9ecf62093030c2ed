namespace FastGate.Upstreams;

/// <summary>Why a destination is out of its clusters' available sets, besides draining; several may hold at once.</summary>
[Flags]
public enum DownReasons
{
    None = 0,
    /// <summary>Its active health check failed <c>unhealthy_threshold</c> times in a row.</summary>
    Unhealthy = 1,
    /// <summary>Passive health (<c>outlier</c>) ejected it for a while.</summary>
    Ejected = 2,
    /// <summary>Its circuit breaker is open.</summary>
    BreakerOpen = 4,
}
