namespace FastGate.Host.Admin;

/// <summary>
/// The answer of <c>POST /admin/cache/purge</c>: L1 entries removed on this instance; objects deleted from L2 (null
/// without Redis, -1 when it was unreachable); whether the purge was published to the instances sharing the Redis.
/// </summary>
internal sealed record PurgeReport(string Kind, string Value, int Removed, long? L2Removed, bool Published);
