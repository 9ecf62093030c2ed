namespace FastGate.Host.Admin;

/// <summary>What the logs lost: access-log lines dropped, error-log lines dropped, error-log lines held back by the rate limit.</summary>
internal sealed record LogsReport(long AccessLogDropped, long ErrorLogDropped, long ErrorLogSuppressed);
