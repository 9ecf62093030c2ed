namespace FastGate.Host.Admin.Dashboard;

/// <summary>One file of the dashboard, read from the binary's resources once.</summary>
internal sealed record DashboardAsset(string Path, string ContentType, byte[] Content);
