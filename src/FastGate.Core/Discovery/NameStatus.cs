using System.Net;

namespace FastGate.Discovery;

/// <summary>
/// What is known of one host name of a cluster: the last good addresses and when they were looked up (UTC), and the
/// last failure, if it came after them. Immutable; replaced on each resolution.
/// </summary>
public sealed record NameStatus(string Host, IPAddress[] Addresses, DateTime ResolvedAt, string? Error = null, DateTime? FailedAt = null);
