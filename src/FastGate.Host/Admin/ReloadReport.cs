namespace FastGate.Host.Admin;

internal sealed record ReloadReport(string Result, int ConfigVersion);
