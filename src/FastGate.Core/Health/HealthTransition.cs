using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary>A destination's health status changed: what <see cref="HealthChecks.Transitioned"/> publishes.</summary>
public sealed record HealthTransition(string Cluster, DestinationState Destination, HealthStatus From, HealthStatus To, DateTimeOffset Time, string Reason);
