using FastGate.Resilience;

namespace FastGate.Configuration;

/// <summary>Binds a cluster's <c>circuit_breaker = { failure_rate, window, min_requests, open_duration, half_open_requests }</c>.</summary>
internal static class CircuitBreakerBinder
{
    internal static readonly string[] Keys = ["failure_rate", "window", "min_requests", "open_duration", "half_open_requests"];

    public static CircuitBreakerPolicy? Bind(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, Keys,
                "{ failure_rate = 50, window = \"10s\", min_requests = 20, open_duration = \"30s\", half_open_requests = 3 }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;
        var defaults = CircuitBreakerPolicy.Default;

        var rate = defaults.FailureRate;
        if (children.TryGetValue("failure_rate", out var child) && reader.TryNumber(child, $"{key}.failure_rate", 0, 100, out var r))
        {
            if (r > 0) rate = r;
            else reader.Error(child, $"{key}.failure_rate", "failure_rate must be above 0 (a percentage of failed attempts, up to 100)");
        }
        var window = defaults.Window;
        if (children.TryGetValue("window", out child) && reader.TryDuration(child, $"{key}.window", false, out var w)) window = w;
        var minRequests = defaults.MinRequests;
        if (children.TryGetValue("min_requests", out child)) reader.TryInt(child, $"{key}.min_requests", 1, 1_000_000, out minRequests);
        var open = defaults.OpenDuration;
        if (children.TryGetValue("open_duration", out child) && reader.TryDuration(child, $"{key}.open_duration", false, out var o)) open = o;
        var trials = defaults.HalfOpenRequests;
        if (children.TryGetValue("half_open_requests", out child)) reader.TryInt(child, $"{key}.half_open_requests", 1, 10_000, out trials);
        return reader.ErrorCount != before ? null : new CircuitBreakerPolicy(rate, window, minRequests, open, trials);
    }
}
