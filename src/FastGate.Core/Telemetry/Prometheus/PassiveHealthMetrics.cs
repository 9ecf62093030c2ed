using FastGate.Resilience;
using FastGate.Upstreams;

namespace FastGate.Telemetry;

/// <summary>The <c>/metrics</c> families of outlier detection and circuit breakers, for the destinations that have them.</summary>
internal static class PassiveHealthMetrics
{
    private static readonly string[] StateLabels = ["closed", "open", "half_open"];

    public static void Write(PrometheusTextWriter writer, List<Cluster> clusters)
    {
        var detectors = Watched<OutlierDetector>(clusters);
        writer.Family("fastgate_outlier_ejections_total", "counter", "Times outlier detection ejected a destination (consecutive failed attempts).");
        foreach (var (labels, d) in detectors) writer.Sample("fastgate_outlier_ejections_total", labels, d.Ejections);
        writer.Family("fastgate_outlier_ejections_capped_total", "counter", "Ejections not made because the cluster's max_ejection_percent was reached.");
        foreach (var (labels, d) in detectors) writer.Sample("fastgate_outlier_ejections_capped_total", labels, d.Capped);
        writer.Family("fastgate_upstream_ejected", "gauge", "1 while outlier detection has the destination ejected.");
        foreach (var (labels, d) in detectors) writer.Sample("fastgate_upstream_ejected", labels, d.IsEjected ? 1 : 0);

        var breakers = Watched<CircuitBreaker>(clusters);
        writer.Family("fastgate_circuit_breaker_state", "gauge", "The destination's circuit breaker: 0 closed, 1 open, 2 half-open.");
        foreach (var (labels, b) in breakers) writer.Sample("fastgate_circuit_breaker_state", labels, (int)b.State);
        writer.Family("fastgate_circuit_breaker_transitions_total", "counter", "Circuit breaker transitions, by the state entered.");
        foreach (var (labels, b) in breakers)
        {
            for (var state = 0; state < StateLabels.Length; state++)
                writer.Sample("fastgate_circuit_breaker_transitions_total", [.. labels, new("to", StateLabels[state])], b.TransitionsTo((CircuitState)state));
        }
    }

    private static List<(KeyValuePair<string, string>[] Labels, T Monitor)> Watched<T>(List<Cluster> clusters) where T : class, IPassiveMonitor
    {
        var watched = new List<(KeyValuePair<string, string>[], T)>();
        foreach (var cluster in clusters)
        {
            foreach (var destination in cluster.DestinationStates)
            {
                if (destination.Monitors.OfType<T>().FirstOrDefault() is { } monitor)
                    watched.Add(([new("cluster", cluster.Name), new("destination", destination.Config.Name)], monitor));
            }
        }
        return watched;
    }
}
