using FastGate.Configuration;
using FastGate.Telemetry;
using FastGate.Upstreams;

namespace FastGate.Host.Admin;

/// <summary>Builds the JSON reports of <c>/admin/stats</c> and <c>/admin/upstreams</c> from the running config and its runtime state.</summary>
internal static class AdminReports
{
    public static StatsReport Stats(ConfigReloader config, GatewayStats stats)
    {
        var routes = config.RouteStats;
        var routeReports = new List<RouteReport>();
        foreach (var route in (RouteStats[])[.. routes.Current, routes.Unmatched]) routeReports.Add(Route(route));
        var logs = stats.Logs is { } running ? new LogsReport(running.AccessLogDropped, running.ErrorLogDropped, running.ErrorLogSuppressed) : null;
        return new StatsReport(config.Current.Version, stats.OpenConnections, stats.Requests, RateReport.Of(stats.Rate), RateReport.History(stats.Rate),
            [.. routeReports], Upstreams(config.Current), logs, Cache(config), RateLimitReport.Of(config.Current));
    }

    private static CacheReport Cache(ConfigReloader config)
    {
        var routes = new Dictionary<string, Dictionary<string, long>>();
        foreach (var route in config.Current.Routes.Routes)
        {
            if (route.Cache is null || route.Stats is not { } stats) continue;
            var outcomes = new Dictionary<string, long>();
            for (var outcome = 0; outcome < Caching.CacheOutcomes.Count; outcome++) outcomes[Caching.CacheOutcomes.Labels[outcome]] = stats.CacheRequests(outcome);
            routes[route.Name] = outcomes;
        }
        var store = config.Cache.Store;
        return new CacheReport(store.Bytes, store.Budget, store.Entries, store.Evictions, store.Eviction, config.Cache.Waiting, routes)
        {
            L2 = L2Report.Of(config.Cache.L2),
        };
    }

    public static DestinationReport[] Upstreams(GatewaySnapshot snapshot)
    {
        var reports = new List<DestinationReport>();
        foreach (var cluster in snapshot.Clusters.Values.Where(c => c.IsBound).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (var destination in cluster.State.Members) reports.Add(Destination(cluster, destination));
        }
        return [.. reports];
    }

    private static RouteReport Route(RouteStats route)
    {
        var status = new Dictionary<string, long>();
        long total = 0;
        for (var code = 0; code < StatusClass.Count; code++)
        {
            long count = 0;
            for (var method = 0; method < MethodLabel.Count; method++) count += route.Requests(method, code);
            status[StatusClass.Labels[code]] = count;
            total += count;
        }
        return new RouteReport(route.Name, total, RateReport.Of(route.Rate), status, LatencySummary.Of(route.Latency, spectrum: true));
    }

    private static DestinationReport Destination(Cluster cluster, DestinationState destination)
    {
        var outcomes = new Dictionary<string, long>();
        for (var outcome = 0; outcome < AttemptOutcome.Count; outcome++) outcomes[AttemptOutcome.Labels[outcome]] = destination.Stats.Outcomes(outcome);
        return new DestinationReport(cluster.Name, destination.Config.Name, destination.InFlight, destination.Pool.OpenConnections,
            destination.Pool.IdleConnections, destination.Draining, RateReport.Of(destination.Stats.Rate), outcomes, LatencySummary.Of(destination.Stats.Latency))
        {
            Dns = Dns(cluster, destination.Config),
            Health = HealthReport.Of(destination),
            Outlier = OutlierReport.Of(destination.Monitors.OfType<Resilience.OutlierDetector>().FirstOrDefault()),
            CircuitBreaker = CircuitBreakerReport.Of(destination.Monitors.OfType<Resilience.CircuitBreaker>().FirstOrDefault()),
        };
    }

    private static DnsReport? Dns(Cluster cluster, Destination destination)
    {
        if (destination.HostName is not { } host) return null;
        var status = cluster.State.Resolver?.StatusOf(host);
        var refresh = cluster.DnsRefresh > TimeSpan.Zero ? DurationParser.Format(cluster.DnsRefresh) : "off";
        return new DnsReport(destination.Address, destination.EndPoint.ToString() ?? "", refresh, status?.ResolvedAt ?? destination.ResolvedAt, status?.Error, status?.FailedAt);
    }
}
