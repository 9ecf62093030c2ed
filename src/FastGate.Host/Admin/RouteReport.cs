namespace FastGate.Host.Admin;

internal sealed record RouteReport(string Name, long Requests, RateReport RequestsPerSecond, Dictionary<string, long> Status, Dictionary<string, LatencySummary> Latency);
