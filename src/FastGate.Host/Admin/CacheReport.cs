namespace FastGate.Host.Admin;

/// <summary>
/// The response cache in <c>/admin/stats</c>: what L1 holds against its budget, fills waited on now, and per cached
/// route the requests by outcome (hit, miss, bypass, stale, revalidated); L2's state when Redis is configured.
/// </summary>
internal sealed record CacheReport(long Bytes, long BudgetBytes, int Entries, long Evictions, string Eviction, int Waiting,
    Dictionary<string, Dictionary<string, long>> Routes)
{
    public L2Report? L2 { get; init; }
}
