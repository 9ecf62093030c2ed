using FastGate.Caching;

namespace FastGate.Host.Admin;

/// <summary>L2 in <c>/admin/stats</c>' cache object: the connection, the breaker, reads by result, writes, errors, purges received from other instances.</summary>
internal sealed record L2Report(bool Connected, string Namespace, string Breaker, long BreakerOpened, Dictionary<string, long> Requests,
    long Writes, long Errors, long PurgesReceived)
{
    public static L2Report? Of(RedisTier? l2)
    {
        if (l2 is null) return null;
        var requests = new Dictionary<string, long>();
        foreach (var result in (L2Result[])[L2Result.Hit, L2Result.Miss, L2Result.Error, L2Result.Skipped]) requests[L2Results.Label(result)] = l2.Reads(result);
        return new L2Report(l2.Connected, l2.Namespace, l2.Breaker, l2.BreakerOpened, requests, l2.Writes, l2.Errors, l2.PurgesReceived);
    }
}
