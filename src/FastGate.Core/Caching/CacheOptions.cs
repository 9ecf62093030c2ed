using System.Text;

namespace FastGate.Caching;

/// <summary>
/// The <c>[cache]</c> section: the L1 byte budget, its eviction policy and the status header; L2's Redis
/// configuration (empty: L1 only), key namespace, the timeout of an L2 read and L2's breaker.
/// </summary>
public sealed record CacheOptions(long MemoryBytes, string StatusHeader, string Eviction, string Redis, string Namespace)
{
    public static readonly TimeSpan DefaultRedisTimeout = TimeSpan.FromMilliseconds(50);

    public TimeSpan RedisTimeout { get; init; } = DefaultRedisTimeout;

    public const int DefaultRedisBreakerFailures = 5;
    public static readonly TimeSpan DefaultRedisBreakerOpenDuration = TimeSpan.FromSeconds(2);

    /// <summary><c>redis_breaker_consecutive_failures</c>: L2 failures in a row that open its breaker.</summary>
    public int RedisBreakerFailures { get; init; } = DefaultRedisBreakerFailures;

    /// <summary><c>redis_breaker_open_duration</c>: how long an open breaker skips L2 before one trial.</summary>
    public TimeSpan RedisBreakerOpenDuration { get; init; } = DefaultRedisBreakerOpenDuration;

    /// <summary>True when <paramref name="other"/> makes the same L2 tier (connection, namespace, timeout, breaker): a reload keeps it.</summary>
    public bool SameL2(CacheOptions other) => Redis == other.Redis && Namespace == other.Namespace && RedisTimeout == other.RedisTimeout
        && RedisBreakerFailures == other.RedisBreakerFailures && RedisBreakerOpenDuration == other.RedisBreakerOpenDuration;

    public const long DefaultMemory = 256L << 20;
    public const string DefaultStatusHeader = "X-Cache";

    public static readonly CacheOptions Default = new(DefaultMemory, DefaultStatusHeader, S3FifoEviction.ConfigName, "", "fastgate");

    /// <summary>The status header's name as bytes (made anew: read once per bind); empty when it is off.</summary>
    public byte[] StatusHeaderBytes => Encoding.ASCII.GetBytes(StatusHeader);
}
