using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// <c>type = "rate_limit"</c>: its rule, its key, and its buckets (<see cref="PartitionMap"/>, runtime state carried
/// across a reload that keeps the rule). Every route that lists the policy shares its buckets; put <c>"route"</c> in
/// the key to count routes apart. A shared limit (<c>shared = true</c>) decides through Redis
/// (<see cref="Shared"/>) and keeps the buckets for when Redis cannot answer.
/// </summary>
public sealed class RateLimitDefinition : IPolicyDefinition
{
    public const string TypeName = "rate_limit";

    internal RateLimitDefinition(string name, RateLimitRule rule, RateLimitKeyPart[] key)
    {
        Name = name;
        Rule = rule;
        Key = key;
        var period = (long)Math.Round(rule.Period.TotalSeconds * Stopwatch.Frequency);
        PeriodTicks = period;
        Buckets = new PartitionMap(BucketFactory(period, rule));
        var seconds = ((long)rule.Period.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var quota = (rule.Algorithm == RateLimitAlgorithm.TokenBucket ? rule.Burst : rule.Rate).ToString(CultureInfo.InvariantCulture);
        // draft-ietf-httpapi-ratelimit-headers-10: RateLimit-Policy: "name";q=quota;w=window-seconds
        PolicyHeader = Encoding.ASCII.GetBytes($"\"{name}\";q={quota};w={seconds}");
        RemainingPrefix = Encoding.ASCII.GetBytes($"\"{name}\";r=0;t=");
        NamePrefix = Encoding.ASCII.GetBytes($"\"{name}\";");
    }

    public string Name { get; }
    public string Type => TypeName;

    internal System.Text.Json.Nodes.JsonObject Description { get; init; } = [];

    public System.Text.Json.Nodes.JsonObject Describe() => (System.Text.Json.Nodes.JsonObject)Description.DeepClone();
    public RateLimitRule Rule { get; }

    internal RateLimitKeyPart[] Key { get; }

    /// <summary>True when a part of the key is a JWT claim: a route must list a jwt policy before this one.</summary>
    internal bool KeysByClaim => Array.Exists(Key, p => p.Kind == RateLimitKeyKind.Claim);
    internal long PeriodTicks { get; }
    internal byte[] PolicyHeader { get; }
    /// <summary>The RateLimit field of a rejection up to its reset seconds.</summary>
    internal byte[] RemainingPrefix { get; }
    /// <summary>The RateLimit field of an allowed request up to its parameters.</summary>
    internal byte[] NamePrefix { get; }

    /// <summary><c>headers</c>: RateLimit-Policy and RateLimit on allowed responses too (a 429 always has them).</summary>
    public bool Headers { get; init; } = true;

    /// <summary><c>redis_timeout</c> of a shared limit; null: <c>cache.redis_timeout</c>.</summary>
    public TimeSpan? RedisTimeout { get; init; }

    /// <summary>Where <c>shared = true</c> was written, for the error when no Redis is configured.</summary>
    internal Configuration.ConfigNode? SharedSource { get; init; }

    private volatile SharedLimiter? _shared;
    /// <summary>The Redis side of a shared limit, bound when the config is applied; null for a local one.</summary>
    internal SharedLimiter? Shared
    {
        get => _shared;
        set => _shared = value;
    }

    private volatile PartitionMap _buckets = null!;
    internal PartitionMap Buckets
    {
        get => _buckets;
        set => _buckets = value;
    }

    public void Compile(string route, List<IRequestPolicy> request, List<IResponsePolicy> response)
    {
        var slot = -1;
        if (Headers)
        {
            slot = 0;
            foreach (var earlier in request)
            {
                if (earlier is RateLimitPolicy { Slot: >= 0 }) slot++;
            }
            // More limits than slots on one route: the later ones still limit, only without fields on allowed responses.
            if (slot >= RateLimitSlot.PerRoute) slot = -1;
        }
        var policy = new RateLimitPolicy(this, route, slot);
        request.Add(policy);
        if (slot >= 0) response.Add(policy);
    }

    private static Func<RateLimitBucket> BucketFactory(long period, RateLimitRule rule)
    {
        switch (rule.Algorithm)
        {
            case RateLimitAlgorithm.FixedWindow: return () => new FixedWindow(period, rule.Rate);
            case RateLimitAlgorithm.SlidingWindow: return () => new SlidingWindow(period, rule.Rate);
        }
        var interval = Math.Max(1, period / rule.Rate);
        var tolerance = interval * rule.Burst;
        return () => new TokenBucket(interval, tolerance);
    }
}
