using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>A route's overrides of its cluster's upstream timeouts: <c>connect_timeout</c>, <c>response_timeout</c>, <c>body_timeout</c>, <c>request_timeout</c>.</summary>
internal static class TimeoutBinder
{
    public static readonly string[] Keys = ["connect_timeout", "response_timeout", "body_timeout", "request_timeout"];

    public static UpstreamTimeouts BindRoute(ConfigReader reader, string prefix, ConfigNode table, UpstreamTimeouts cluster)
    {
        var children = table.Children;
        return new UpstreamTimeouts(
            Read(reader, children, prefix, "connect_timeout") ?? cluster.Connect,
            Read(reader, children, prefix, "response_timeout") ?? cluster.Response,
            Read(reader, children, prefix, "body_timeout") ?? cluster.Body,
            Read(reader, children, prefix, "request_timeout") ?? cluster.Request);
    }

    private static TimeSpan? Read(ConfigReader reader, OrderedDictionary<string, ConfigNode> children, string prefix, string key) =>
        children.TryGetValue(key, out var node) && reader.TryDuration(node, $"{prefix}.{key}", false, out var value) ? value : null;
}
