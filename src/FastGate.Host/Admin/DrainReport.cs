namespace FastGate.Host.Admin;

/// <summary>The answer to a drain or undrain: the destination now, and how many destinations its cluster can still send to.</summary>
internal sealed record DrainReport(string Cluster, string Address, bool Draining, int InFlight, int OpenConnections, int IdleConnections,
    int ClusterAvailable);
