namespace FastGate.Host.Admin;

internal sealed record ReadinessReport(bool Ready, int ConfigVersion, string[] ClustersWithoutDestinations);
