using FastGate.Configuration;

namespace FastGate.Host.Admin;

/// <summary>
/// <c>/readyz</c>: ready when the listeners are bound (the admin listener starts after them) and every cluster
/// has a destination to send to; otherwise the clusters that have none.
/// </summary>
internal static class Readiness
{
    public static ReadinessReport Check(GatewaySnapshot snapshot)
    {
        var unavailable = new List<string>();
        foreach (var cluster in snapshot.Clusters.Values)
        {
            if (!cluster.IsBound || cluster.State.Available.Length == 0) unavailable.Add(cluster.Name);
        }
        unavailable.Sort(StringComparer.Ordinal);
        return new ReadinessReport(unavailable.Count == 0, snapshot.Version, [.. unavailable]);
    }
}
