using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// Weighted rendezvous (highest random weight) hashing: each candidate scores <c>-weight / ln(u)</c>, u uniform in
/// (0, 1) from a fixed hash of the key and its address, and the highest wins. Removing a candidate moves only the
/// keys it had; adding one takes about its share.
/// </summary>
internal static class Rendezvous
{
    public static DestinationState? Pick(ulong key, DestinationState[] candidates)
    {
        DestinationState? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            var hash = StableHash.Mix(key ^ candidate.Config.AddressHash);
            var score = -Math.Max(1, candidate.Config.Weight) / Math.Log(((hash >> 11) + 0.5) / (1UL << 53));
            if (score > bestScore)
            {
                bestScore = score;
                best = candidate;
            }
        }
        return best;
    }
}
