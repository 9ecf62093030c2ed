namespace FastGate.Host.Admin;

/// <summary>The body of <c>POST /admin/cache/purge</c>: exactly one of the four.</summary>
internal sealed record PurgeBody(string? Url = null, string? Prefix = null, string? Glob = null, string? Tag = null);
