using System.Diagnostics;
using FastGate.Configuration;

namespace FastGate.Telemetry;

/// <summary>
/// Once a second, off the hot path, reads the request totals the proxy already keeps (the gateway's, each
/// current route's, each bound destination's) into their <see cref="RequestRate"/>s, so <c>/admin/stats</c> can
/// give req/s over 1, 10 and 60 s without the proxy counting anything more.
/// </summary>
public sealed class RateSampler : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly GatewayStats _stats;
    private readonly ConfigReloader _config;
    private readonly Timer _timer;

    public RateSampler(GatewayStats stats, ConfigReloader config)
    {
        _stats = stats;
        _config = config;
        Sample(Stopwatch.GetTimestamp());
        _timer = new Timer(static s => ((RateSampler)s!).Sample(Stopwatch.GetTimestamp()), this, Period, Period);
    }

    /// <summary>Takes one reading of every total, all stamped <paramref name="timestamp"/>.</summary>
    internal void Sample(long timestamp)
    {
        _stats.Rate.Sample(timestamp, _stats.Requests);
        var routes = _config.RouteStats;
        foreach (var route in routes.Current) route.Rate.Sample(timestamp, route.TotalRequests);
        routes.Unmatched.Rate.Sample(timestamp, routes.Unmatched.TotalRequests);
        foreach (var cluster in _config.Current.Clusters.Values)
        {
            if (!cluster.IsBound) continue;
            foreach (var destination in cluster.State.Members) destination.Stats.Rate.Sample(timestamp, destination.Stats.TotalAttempts);
        }
    }

    public void Dispose() => _timer.Dispose();
}
