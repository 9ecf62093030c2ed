using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// Weighted rendezvous (highest random weight) hashing: each candidate scores <c>-weight / ln(u)</c>, u uniform in
/// (0, 1) from a fixed hash of the key and its address, and the highest wins. Removing a candidate moves only the
/// keys it had; adding one takes about its share.
/// </summary>
internal static class Rendezvous
{
    /// <param name="slowStart">Scale each weight by the candidate's slow-start factor (ip_hash: as a recovered destination ramps up, keys move to it, never away).</param>
    public static DestinationState? Pick(ulong key, DestinationState[] candidates, bool slowStart = false)
    {
        DestinationState? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            var hash = StableHash.Mix(key ^ candidate.Config.AddressHash);
            var weight = slowStart ? Math.Max(1, candidate.Config.Weight) * candidate.SlowStart.Factor() : Math.Max(1, candidate.Config.Weight);
            var score = -weight / Math.Log(((hash >> 11) + 0.5) / (1UL << 53));
            if (score > bestScore)
            {
                bestScore = score;
                best = candidate;
            }
        }
        return best;
    }
}
