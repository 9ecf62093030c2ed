namespace FastGate.Host.Admin;

internal sealed record StatsReport(int ConfigVersion, int ClientConnections, long Requests, RouteReport[] Routes, DestinationReport[] Destinations);
