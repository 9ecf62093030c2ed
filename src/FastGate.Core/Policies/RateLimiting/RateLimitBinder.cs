using System.Text;
using FastGate.Configuration;

namespace FastGate.Policies.RateLimiting;

/// <summary>Binds <c>[policies.NAME] type = "rate_limit"</c>.</summary>
internal static class RateLimitBinder
{
    internal static readonly string[] Keys = ["type", "key", "algorithm", "rate", "period", "burst", "shared", "headers", "redis_timeout"];

    public const int MaxRate = 1_000_000;

    public static RateLimitDefinition? Bind(ConfigReader reader, string name, string prefix, ConfigNode table)
    {
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, Keys);
        var children = table.Children;

        // Whether [cache].redis is set is known once the whole file is read (SnapshotBuilder checks SharedSource).
        var shared = false;
        ConfigNode? sharedSource = null;
        if (children.TryGetValue("shared", out var node) && reader.TryBool(node, $"{prefix}.shared", out shared) && shared) sharedSource = node;
        var headers = true;
        if (children.TryGetValue("headers", out node)) reader.TryBool(node, $"{prefix}.headers", out headers);
        TimeSpan? redisTimeout = null;
        if (children.TryGetValue("redis_timeout", out node) && reader.TryDuration(node, $"{prefix}.redis_timeout", false, out var timeout))
        {
            if (!shared) reader.Error(node, $"{prefix}.redis_timeout", "applies to shared = true only");
            else if (timeout > TimeSpan.FromSeconds(10)) reader.Error(node, $"{prefix}.redis_timeout", "longer than 10s: a request waits this long for a slow Redis");
            else redisTimeout = timeout;
        }

        var algorithm = RateLimitAlgorithm.TokenBucket;
        if (children.TryGetValue("algorithm", out node) && reader.TryString(node, $"{prefix}.algorithm", out var text))
        {
            switch (text)
            {
                case "token_bucket": break;
                case "fixed_window": algorithm = RateLimitAlgorithm.FixedWindow; break;
                case "sliding_window": algorithm = RateLimitAlgorithm.SlidingWindow; break;
                default:
                    reader.Error(node, $"{prefix}.algorithm", $"unknown algorithm \"{text}\" (expected token_bucket, fixed_window or sliding_window)");
                    break;
            }
        }

        var rate = 0;
        if (!children.TryGetValue("rate", out node)) reader.Error(table, $"{prefix}.rate", "required key is missing (requests per period)");
        else reader.TryInt(node, $"{prefix}.rate", 1, MaxRate, out rate);

        var period = TimeSpan.FromSeconds(1);
        if (children.TryGetValue("period", out node) && reader.TryDuration(node, $"{prefix}.period", false, out var configured))
        {
            // RateLimit-Policy's w is whole seconds.
            if (configured.Ticks % TimeSpan.TicksPerSecond != 0 || configured > TimeSpan.FromDays(1))
                reader.Error(node, $"{prefix}.period", "must be whole seconds, at most 24h (e.g. \"1s\", \"1m\")");
            else period = configured;
        }

        var burst = rate;
        if (children.TryGetValue("burst", out node))
        {
            if (algorithm != RateLimitAlgorithm.TokenBucket) reader.Error(node, $"{prefix}.burst", "burst applies to algorithm = \"token_bucket\" only");
            else reader.TryInt(node, $"{prefix}.burst", 1, MaxRate, out burst);
        }

        var (key, keyText) = BindKey(reader, children, prefix);
        return reader.ErrorCount != before || key is null ? null
            : new RateLimitDefinition(name, new RateLimitRule(algorithm, keyText, rate, period, burst, shared), key)
            {
                Description = PolicyDescription.Of(table, Keys),
                Headers = headers,
                RedisTimeout = redisTimeout,
                SharedSource = sharedSource,
            };
    }

    private static (RateLimitKeyPart[]?, string) BindKey(ConfigReader reader, OrderedDictionary<string, ConfigNode> children, string prefix)
    {
        if (!children.TryGetValue("key", out var node)) return ([new RateLimitKeyPart(RateLimitKeyKind.ClientIp, [])], "client_ip");
        var keyName = $"{prefix}.key";
        List<(string Value, ConfigNode Node)> items;
        if (node.Kind == ConfigNodeKind.String) items = [(node.Text, node)];
        else if (!reader.TryStringList(node, keyName, out items)) return (null, "");
        if (items.Count == 0)
        {
            reader.Error(node, keyName, "empty key list (client_ip, route, header:NAME, claim:NAME, or a list of them)");
            return (null, "");
        }
        var parts = new List<RateLimitKeyPart>();
        var ok = true;
        foreach (var (item, source) in items)
        {
            if (item == "client_ip") parts.Add(new RateLimitKeyPart(RateLimitKeyKind.ClientIp, []));
            else if (item == "route") parts.Add(new RateLimitKeyPart(RateLimitKeyKind.Route, []));
            else if (item.StartsWith("header:", StringComparison.Ordinal)
                     && PolicyConfig.HeaderName(reader, source, keyName, item["header:".Length..]) is not null)
                parts.Add(new RateLimitKeyPart(RateLimitKeyKind.Header, Encoding.ASCII.GetBytes(item["header:".Length..].ToLowerInvariant())));
            else if (item.StartsWith("claim:", StringComparison.Ordinal) && item.Length > "claim:".Length)
                parts.Add(new RateLimitKeyPart(RateLimitKeyKind.Claim, Encoding.UTF8.GetBytes(item["claim:".Length..])));
            else
            {
                if (!item.StartsWith("header:", StringComparison.Ordinal))
                    reader.Error(source, keyName, $"unknown key \"{item}\" (expected client_ip, route, header:NAME, claim:NAME, or a list of them)");
                ok = false;
            }
        }
        if (!ok) return (null, "");
        return (parts.ToArray(), string.Join(",", items.Select(i => i.Value)));
    }
}
