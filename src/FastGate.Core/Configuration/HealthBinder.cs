using System.Text;
using FastGate.Health;
using FastGate.Http;

namespace FastGate.Configuration;

/// <summary>
/// Binds a cluster's <c>health = { type, path, method, host, interval, jitter, timeout, healthy_threshold,
/// unhealthy_threshold, expect_status, expect_body, slow_start }</c> (an inline table or a
/// <c>[clusters.NAME.health]</c> table: the tree reader makes both the same node).
/// </summary>
internal static class HealthBinder
{
    internal static readonly string[] Keys =
    [
        "type", "path", "method", "host", "interval", "jitter", "timeout", "healthy_threshold", "unhealthy_threshold",
        "expect_status", "expect_body", "slow_start",
    ];

    /// <summary>Keys only an HTTP check reads.</summary>
    private static readonly string[] HttpKeys = ["path", "method", "host", "expect_status", "expect_body"];

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);

    public static HealthCheckPolicy? Bind(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, Keys, "{ type = \"http\", path = \"/healthz\", interval = \"5s\" } or { type = \"tcp\" }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;
        var policy = new HealthCheckPolicy();

        if (children.TryGetValue("type", out var child) && reader.TryString(child, $"{key}.type", out var type))
        {
            if (HealthProbeFactory.Names.Contains(type)) policy = policy with { Type = type };
            else reader.Error(child, $"{key}.type", $"unknown health check type \"{type}\" (expected {string.Join(", ", HealthProbeFactory.Names.Select(n => $"\"{n}\""))})");
        }
        if (!policy.IsHttp)
        {
            foreach (var httpKey in HttpKeys)
                if (children.TryGetValue(httpKey, out child)) reader.Error(child, $"{key}.{httpKey}", $"\"{httpKey}\" applies to type = \"http\" only");
        }
        policy = BindHttp(reader, key, children, policy);

        if (children.TryGetValue("interval", out child) && reader.TryDuration(child, $"{key}.interval", false, out var interval))
        {
            if (interval < MinInterval) reader.Error(child, $"{key}.interval", "must be at least 10ms");
            else policy = policy with { Interval = interval, Jitter = TimeSpan.FromMilliseconds((long)interval.TotalMilliseconds / 10) };
        }
        if (children.TryGetValue("jitter", out child) && reader.TryDuration(child, $"{key}.jitter", true, out var jitter)) policy = policy with { Jitter = jitter };
        if (children.TryGetValue("timeout", out child) && reader.TryDuration(child, $"{key}.timeout", false, out var timeout))
        {
            if (timeout > policy.Interval) reader.Error(child, $"{key}.timeout", $"the timeout ({DurationParser.Format(timeout)}) is longer than the interval ({DurationParser.Format(policy.Interval)})");
            else policy = policy with { Timeout = timeout };
        }
        else if (child is null && policy.Timeout > policy.Interval) policy = policy with { Timeout = policy.Interval };
        if (children.TryGetValue("healthy_threshold", out child) && reader.TryInt(child, $"{key}.healthy_threshold", 1, 100, out var healthy))
            policy = policy with { HealthyThreshold = healthy };
        if (children.TryGetValue("unhealthy_threshold", out child) && reader.TryInt(child, $"{key}.unhealthy_threshold", 1, 100, out var unhealthy))
            policy = policy with { UnhealthyThreshold = unhealthy };
        if (children.TryGetValue("slow_start", out child) && reader.TryDuration(child, $"{key}.slow_start", true, out var slowStart))
            policy = policy with { SlowStart = slowStart };
        return reader.ErrorCount != before ? null : policy;
    }

    private static HealthCheckPolicy BindHttp(ConfigReader reader, string key, OrderedDictionary<string, ConfigNode> children, HealthCheckPolicy policy)
    {
        if (children.TryGetValue("path", out var child) && reader.TryString(child, $"{key}.path", out var path))
        {
            if (path.Length == 0 || path[0] != '/' || path.Any(c => c <= ' ' || c >= 0x7f))
                reader.Error(child, $"{key}.path", $"\"{path}\" is not a request path (it starts with \"/\" and has no spaces, control or non-ASCII characters; percent-encode them)");
            else policy = policy with { Path = path };
        }
        if (children.TryGetValue("method", out child) && reader.TryString(child, $"{key}.method", out var method))
        {
            if (!HttpChars.IsToken(Encoding.ASCII.GetBytes(method)) || method.Any(c => c > 0x7e) || method is "CONNECT")
                reader.Error(child, $"{key}.method", $"\"{method}\" is not a method for a health check (a token such as \"GET\" or \"HEAD\")");
            else policy = policy with { Method = method };
        }
        if (children.TryGetValue("host", out child) && reader.TryString(child, $"{key}.host", out var host))
        {
            if (host.Any(c => c > 0x7e) || !HostSyntax.IsValidHostField(Encoding.ASCII.GetBytes(host)))
                reader.Error(child, $"{key}.host", $"\"{host}\" is not a valid Host (host or host:port; \"\" sends the destination's address)");
            else policy = policy with { Host = host };
        }
        if (children.TryGetValue("expect_status", out child) && reader.TryString(child, $"{key}.expect_status", out var status))
        {
            if (TryParseRange(status, out var min, out var max)) policy = policy with { StatusMin = min, StatusMax = max };
            else reader.Error(child, $"{key}.expect_status", $"bad status range \"{status}\" (e.g. \"200\" or \"200-399\", statuses 100-599, the lower first)");
        }
        if (children.TryGetValue("expect_body", out child) && reader.TryString(child, $"{key}.expect_body", out var body))
        {
            if (Encoding.UTF8.GetByteCount(body) > 1024) reader.Error(child, $"{key}.expect_body", "must be at most 1024 bytes");
            else policy = policy with { ExpectBody = body };
        }
        return policy;
    }

    private static bool TryParseRange(string text, out int min, out int max)
    {
        min = max = 0;
        var parts = text.Split('-');
        if (parts.Length > 2 || !TryStatus(parts[0], out min)) return false;
        if (parts.Length == 1) max = min;
        else if (!TryStatus(parts[1], out max)) return false;
        return min <= max;
    }

    private static bool TryStatus(string text, out int status) =>
        int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out status)
        && status is >= 100 and <= 599;
}
