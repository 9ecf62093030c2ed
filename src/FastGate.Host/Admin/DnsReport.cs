namespace FastGate.Host.Admin;

/// <summary>
/// The <c>dns</c> of a destination given by host name in <c>/admin/upstreams</c>: the name as configured, the address
/// this destination connects to, when the name was last resolved (UTC), and the last failure with its time, if any
/// (the addresses of the last success are kept through failures).
/// </summary>
internal sealed record DnsReport(string HostName, string Resolved, string Refresh, DateTime? ResolvedAt, string? LastError, DateTime? FailedAt);
