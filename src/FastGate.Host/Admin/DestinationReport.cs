namespace FastGate.Host.Admin;

internal sealed record DestinationReport(string Cluster, string Address, int InFlight, int OpenConnections, int IdleConnections,
    bool Draining, RateReport RequestsPerSecond, Dictionary<string, long> Outcomes, Dictionary<string, LatencySummary> Latency);
