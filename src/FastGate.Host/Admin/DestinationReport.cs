namespace FastGate.Host.Admin;

internal sealed record DestinationReport(string Cluster, string Address, int InFlight, int OpenConnections, int IdleConnections,
    bool Draining, RateReport RequestsPerSecond, Dictionary<string, long> Outcomes, Dictionary<string, LatencySummary> Latency)
{
    /// <summary>For a destination given by host name: its name, resolved address and last resolution; null for an IP literal.</summary>
    public DnsReport? Dns { get; init; }

    /// <summary>Its active health checks; null when its cluster has none.</summary>
    public HealthReport? Health { get; init; }

    /// <summary>Outlier detection (<c>outlier</c>), or null when the cluster has none.</summary>
    public OutlierReport? Outlier { get; init; }

    /// <summary>The circuit breaker (<c>circuit_breaker</c>), or null when the cluster has none.</summary>
    public CircuitBreakerReport? CircuitBreaker { get; init; }
}
