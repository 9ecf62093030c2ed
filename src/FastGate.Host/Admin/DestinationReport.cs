namespace FastGate.Host.Admin;

internal sealed record DestinationReport(string Cluster, string Address, int InFlight, int OpenConnections, int IdleConnections,
    bool Draining, RateReport RequestsPerSecond, Dictionary<string, long> Outcomes, Dictionary<string, LatencySummary> Latency)
{
    /// <summary>For a destination given by host name: its name, resolved address and last resolution; null for an IP literal.</summary>
    public DnsReport? Dns { get; init; }

    /// <summary>Its active health checks; null when its cluster has none.</summary>
    public HealthReport? Health { get; init; }
}
