using System.Text;
using FastGate.Configuration;
using FastGate.Transport;
using FastGate.Upstreams;

namespace FastGate.Telemetry;

/// <summary>
/// The <c>/metrics</c> scrape: every counter, gauge and latency histogram of the gateway in the Prometheus text
/// format, read from the striped recorders and the runtime state when asked. Labels are bounded: route and cluster
/// names and destination addresses from the config, methods and status classes from fixed lists.
/// </summary>
public sealed class GatewayMetrics(ConfigReloader config, GatewayStats stats, string version)
{
    public string Scrape()
    {
        var text = new StringBuilder(16 * 1024);
        var writer = new PrometheusTextWriter(text);
        var snapshot = config.Current;
        var routes = config.RouteStats;

        writer.Family("fastgate_info", "gauge", "Always 1; the labels name the running version and transport.");
        writer.Sample("fastgate_info", [new("version", version), new("transport", TransportSelection.Name(TransportSelection.Current))], 1);

        writer.Family("fastgate_requests_total", "counter",
            "Requests answered, by route, method (OTHER for non-standard ones) and status class (code none: no status was sent).");
        foreach (var route in AllRoutes(routes)) WriteRequests(writer, route);

        writer.Family("fastgate_request_duration_seconds", "histogram", "Time from the first byte of a request to the end of its exchange, by route.");
        foreach (var route in AllRoutes(routes)) WriteHistogram(writer, "fastgate_request_duration_seconds", [new("route", route.Name)], route.Latency[LatencyPhase.Total]);

        writer.Family("fastgate_request_first_byte_seconds", "histogram", "Time from the first byte of a request to the upstream's response head, by route.");
        foreach (var route in AllRoutes(routes)) WriteHistogram(writer, "fastgate_request_first_byte_seconds", [new("route", route.Name)], route.Latency[LatencyPhase.FirstByte]);

        var clusters = snapshot.Clusters.Values.Where(c => c.IsBound).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        writer.Family("fastgate_upstream_requests_total", "counter", "Exchanges sent to a destination, by how their last attempt ended.");
        foreach (var (cluster, destination) in Destinations(clusters))
        {
            for (var outcome = 0; outcome < AttemptOutcome.Count; outcome++)
            {
                writer.Sample("fastgate_upstream_requests_total",
                    [new("cluster", cluster.Name), new("destination", destination.Config.Name), new("outcome", AttemptOutcome.Labels[outcome])],
                    destination.Stats.Outcomes(outcome));
            }
        }

        writer.Family("fastgate_upstream_connect_seconds", "histogram", "Time from routing to holding an upstream connection (pooled or new), by destination.");
        foreach (var (cluster, destination) in Destinations(clusters))
            WriteHistogram(writer, "fastgate_upstream_connect_seconds", DestinationLabels(cluster, destination), destination.Stats.Latency[LatencyPhase.Connect]);

        writer.Family("fastgate_upstream_response_seconds", "histogram", "Time from holding the upstream connection to the end of the exchange, by destination.");
        foreach (var (cluster, destination) in Destinations(clusters))
            WriteHistogram(writer, "fastgate_upstream_response_seconds", DestinationLabels(cluster, destination), destination.Stats.Latency[LatencyPhase.Upstream]);

        writer.Family("fastgate_upstream_connections", "gauge", "Open upstream connections, idle in the pool or leased to an exchange.");
        foreach (var (cluster, destination) in Destinations(clusters))
        {
            var pool = destination.Pool;
            writer.Sample("fastgate_upstream_connections", [.. DestinationLabels(cluster, destination), new("state", "idle")], pool.IdleConnections);
            writer.Sample("fastgate_upstream_connections", [.. DestinationLabels(cluster, destination), new("state", "active")],
                Math.Max(0, pool.OpenConnections - pool.IdleConnections));
        }

        writer.Family("fastgate_upstream_in_flight", "gauge", "Requests being forwarded to a destination now.");
        foreach (var (cluster, destination) in Destinations(clusters))
            writer.Sample("fastgate_upstream_in_flight", DestinationLabels(cluster, destination), destination.InFlight);

        writer.Family("fastgate_upstream_draining", "gauge", "1 while a destination drains (POST /admin/upstreams/.../drain): it gets no new requests.");
        foreach (var (cluster, destination) in Destinations(clusters))
            writer.Sample("fastgate_upstream_draining", DestinationLabels(cluster, destination), destination.Draining ? 1 : 0);

        WriteHealth(writer, Destinations(clusters).Where(d => d.Item2.Health is not null).ToList());
        PassiveHealthMetrics.Write(writer, clusters);

        writer.Family("fastgate_upstream_retries_total", "counter", "Retries made under the cluster's retry policy.");
        foreach (var cluster in clusters) writer.Sample("fastgate_upstream_retries_total", [new("cluster", cluster.Name)], cluster.State.RetryBudget.Retries);
        writer.Family("fastgate_upstream_retry_budget_exhausted_total", "counter", "Retries not made because the cluster's retry budget was spent.");
        foreach (var cluster in clusters)
            writer.Sample("fastgate_upstream_retry_budget_exhausted_total", [new("cluster", cluster.Name)], cluster.State.RetryBudget.Exhausted);

        var bulkheads = clusters.Where(c => c.State.Bulkhead is not null).ToList();
        writer.Family("fastgate_bulkhead_active", "gauge", "Exchanges inside the cluster's bulkhead now.");
        foreach (var cluster in bulkheads) writer.Sample("fastgate_bulkhead_active", [new("cluster", cluster.Name)], cluster.State.Bulkhead!.Active);
        writer.Family("fastgate_bulkhead_queued", "gauge", "Exchanges waiting in the cluster's bulkhead queue now.");
        foreach (var cluster in bulkheads) writer.Sample("fastgate_bulkhead_queued", [new("cluster", cluster.Name)], cluster.State.Bulkhead!.Queued);
        writer.Family("fastgate_bulkhead_rejected_total", "counter", "Exchanges refused with 503: the cluster's bulkhead and its queue were full, or the wait timed out.");
        foreach (var cluster in bulkheads) writer.Sample("fastgate_bulkhead_rejected_total", [new("cluster", cluster.Name)], cluster.State.Bulkhead!.Rejected);

        WriteDns(writer, clusters);
        CacheMetrics.Write(writer, snapshot.Routes.Routes, config.Cache);
        Policies.RateLimiting.RateLimitMetrics.Write(writer, snapshot);

        writer.Family("fastgate_client_connections", "gauge", "Client connections open now.");
        writer.Sample("fastgate_client_connections", [], stats.OpenConnections);

        writer.Family("fastgate_config_reloads_total", "counter", "Config reloads since start, applied (ok) or refused for errors (failed).");
        writer.Sample("fastgate_config_reloads_total", [new("result", "ok")], config.ReloadsApplied);
        writer.Sample("fastgate_config_reloads_total", [new("result", "failed")], config.ReloadsFailed);

        writer.Family("fastgate_config_version", "gauge", "Version of the running config: 1 at start, one more per applied reload.");
        writer.Sample("fastgate_config_version", [], snapshot.Version);
        if (stats.Logs is { } logs) WriteLogs(writer, logs);
        return text.ToString();
    }

    private static void WriteLogs(PrometheusTextWriter writer, Logging.GatewayLogs logs)
    {
        writer.Family("fastgate_access_log_dropped_total", "counter", "Access-log lines dropped: the buffer was full (requests never wait) or the output failed.");
        writer.Sample("fastgate_access_log_dropped_total", [], logs.AccessLogDropped);
        writer.Family("fastgate_error_log_dropped_total", "counter", "Error-log lines dropped: the buffer was full or the output failed.");
        writer.Sample("fastgate_error_log_dropped_total", [], logs.ErrorLogDropped);
        writer.Family("fastgate_error_log_suppressed_total", "counter", "Error-log lines held back by the rate limit (each counted in a \"repeated N times\" line).");
        writer.Sample("fastgate_error_log_suppressed_total", [], logs.ErrorLogSuppressed);
    }

    private static void WriteDns(PrometheusTextWriter writer, List<Cluster> clusters)
    {
        writer.Family("fastgate_dns_resolutions_total", "counter",
            "Lookups of the host names of a cluster's destinations (dns_refresh), by result: unchanged, changed (destinations reconciled) or failed (last addresses kept).");
        foreach (var cluster in clusters)
        {
            if (cluster.State.Resolver is not { } resolver) continue;
            for (var result = 0; result < Discovery.DnsResults.Count; result++)
            {
                writer.Sample("fastgate_dns_resolutions_total", [new("cluster", cluster.Name), new("result", Discovery.DnsResults.Labels[result])],
                    resolver.Resolutions((Discovery.DnsResult)result));
            }
        }
    }

    /// <summary>The active health checks of the destinations that have them (<c>health</c>).</summary>
    private static void WriteHealth(PrometheusTextWriter writer, List<(Cluster, DestinationState)> probed)
    {
        writer.Family("fastgate_upstream_healthy", "gauge", "1 while the active health checks find a destination healthy, 0 while it is out for failing them.");
        foreach (var (cluster, destination) in probed)
            writer.Sample("fastgate_upstream_healthy", DestinationLabels(cluster, destination), destination.Health!.Status == Health.HealthStatus.Healthy ? 1 : 0);
        writer.Family("fastgate_health_checks_total", "counter", "Active health checks (probes) of a destination, by result.");
        foreach (var (cluster, destination) in probed)
        {
            writer.Sample("fastgate_health_checks_total", [.. DestinationLabels(cluster, destination), new("result", "ok")], destination.Health!.ChecksOk);
            writer.Sample("fastgate_health_checks_total", [.. DestinationLabels(cluster, destination), new("result", "fail")], destination.Health!.ChecksFailed);
        }
        writer.Family("fastgate_health_transitions_total", "counter", "Health status changes of a destination, by the status it went to.");
        foreach (var (cluster, destination) in probed)
        {
            writer.Sample("fastgate_health_transitions_total", [.. DestinationLabels(cluster, destination), new("to", "healthy")], destination.Health!.BecameHealthy);
            writer.Sample("fastgate_health_transitions_total", [.. DestinationLabels(cluster, destination), new("to", "unhealthy")], destination.Health!.BecameUnhealthy);
        }
        writer.Family("fastgate_upstream_slow_start_ratio", "gauge", "A destination's share of picks relative to its full share: below 1 while in slow start.");
        foreach (var (cluster, destination) in probed)
            writer.Sample("fastgate_upstream_slow_start_ratio", DestinationLabels(cluster, destination), destination.SlowStart.Factor());
    }

    private static IEnumerable<RouteStats> AllRoutes(RouteStatsRegistry routes) => [.. routes.Current, routes.Unmatched];

    private static IEnumerable<(Cluster, DestinationState)> Destinations(List<Cluster> clusters) =>
        clusters.SelectMany(c => c.State.Members.Select(d => (c, d)));

    private static KeyValuePair<string, string>[] DestinationLabels(Cluster cluster, DestinationState destination) =>
        [new("cluster", cluster.Name), new("destination", destination.Config.Name)];

    private static void WriteRequests(PrometheusTextWriter writer, RouteStats route)
    {
        for (var method = 0; method < MethodLabel.Count; method++)
        {
            for (var code = 0; code < StatusClass.Count; code++)
            {
                var count = route.Requests(method, code);
                // Series appear once they have counted something, as client libraries do for labelled counters.
                if (count == 0) continue;
                writer.Sample("fastgate_requests_total",
                    [new("route", route.Name), new("method", MethodLabel.Labels[method]), new("code", StatusClass.Labels[code])], count);
            }
        }
    }

    private static void WriteHistogram(PrometheusTextWriter writer, string name, KeyValuePair<string, string>[] labels, LatencyHistogram latency)
    {
        var histogram = latency.Collect();
        writer.Histogram(name, labels, LatencyBuckets.Seconds, LatencyBuckets.Cumulative(histogram), histogram.TotalCount,
            latency.SumMicros / 1_000_000.0);
    }
}
