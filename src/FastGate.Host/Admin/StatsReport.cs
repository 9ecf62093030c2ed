namespace FastGate.Host.Admin;

internal sealed record StatsReport(int ConfigVersion, int ClientConnections, long Requests, RateReport RequestsPerSecond,
    double[] RequestsPerSecondHistory, RouteReport[] Routes, DestinationReport[] Destinations, LogsReport? Logs = null,
    CacheReport? Cache = null, RateLimitReport[]? RateLimits = null);
