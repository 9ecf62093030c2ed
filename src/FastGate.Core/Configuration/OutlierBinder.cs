using FastGate.Resilience;

namespace FastGate.Configuration;

/// <summary>Binds a cluster's <c>outlier = { consecutive_failures, base_ejection, max_ejection, max_ejection_percent }</c>.</summary>
internal static class OutlierBinder
{
    internal static readonly string[] Keys = ["consecutive_failures", "base_ejection", "max_ejection", "max_ejection_percent"];

    public static OutlierPolicy? Bind(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, Keys, "{ consecutive_failures = 5, base_ejection = \"30s\", max_ejection = \"5m\", max_ejection_percent = 50 }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;
        var defaults = OutlierPolicy.Default;

        var failures = defaults.ConsecutiveFailures;
        if (children.TryGetValue("consecutive_failures", out var child)) reader.TryInt(child, $"{key}.consecutive_failures", 1, 1_000_000, out failures);
        var baseEjection = defaults.BaseEjection;
        if (children.TryGetValue("base_ejection", out child) && reader.TryDuration(child, $"{key}.base_ejection", false, out var b)) baseEjection = b;
        var maxEjection = defaults.MaxEjection;
        if (children.TryGetValue("max_ejection", out child) && reader.TryDuration(child, $"{key}.max_ejection", false, out var m)) maxEjection = m;
        if (maxEjection < baseEjection)
            reader.Error(children.TryGetValue("max_ejection", out child) ? child : node, $"{key}.max_ejection", "max_ejection is shorter than base_ejection");
        var percent = defaults.MaxEjectionPercent;
        if (children.TryGetValue("max_ejection_percent", out child)) reader.TryInt(child, $"{key}.max_ejection_percent", 1, 100, out percent);
        return reader.ErrorCount != before ? null : new OutlierPolicy(failures, baseEjection, maxEjection, percent);
    }
}
