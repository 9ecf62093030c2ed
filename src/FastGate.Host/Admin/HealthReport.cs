using FastGate.Health;
using FastGate.Upstreams;

namespace FastGate.Host.Admin;

/// <summary>
/// A destination's active health checks in <c>/admin/upstreams</c>: status and since when, the current runs, counts,
/// its slow-start share (1: full) and the last probes, oldest first.
/// </summary>
internal sealed record HealthReport(string Status, string Type, string Cluster, DateTimeOffset Since, int ConsecutivePasses, int ConsecutiveFailures,
    long ChecksOk, long ChecksFailed, double SlowStart, HealthCheckReport[] History)
{
    public static HealthReport? Of(DestinationState destination)
    {
        if (destination.Health is not { } health) return null;
        var history = health.History.ToArray();
        return new HealthReport(health.Status == HealthStatus.Healthy ? "healthy" : "unhealthy", health.Policy.Type, health.Cluster, health.Since,
            health.ConsecutivePasses, health.ConsecutiveFailures, health.ChecksOk, health.ChecksFailed, Math.Round(destination.SlowStart.Factor(), 3),
            [.. history.Select(r => new HealthCheckReport(r.Time, r.Ok, r.Reason, Math.Round(r.Latency.TotalMilliseconds, 3)))]);
    }
}
