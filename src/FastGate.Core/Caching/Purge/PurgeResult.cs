namespace FastGate.Caching;

/// <summary>
/// What a purge did: entries removed from this instance's L1; objects deleted from L2 (null without Redis, -1 when
/// it was not reachable); whether the purge was published to the other instances.
/// </summary>
public sealed record PurgeResult(int Removed, long? L2Removed, bool Published);
