using System.Net;

namespace FastGate.Discovery;

/// <summary>One lookup of a host name: when it started (UTC), and its addresses (as <see cref="HostAddresses.Preferred"/>) or why there are none.</summary>
public readonly record struct HostResolution(string Host, DateTime StartedAt, IPAddress[]? Addresses, string? Error);
