using System.Text;

namespace FastGate.Caching;

/// <summary>
/// The <c>[cache]</c> section: the L1 byte budget, its eviction policy and the status header; L2's Redis
/// configuration (empty: L1 only), key namespace and the timeout of an L2 read.
/// </summary>
public sealed record CacheOptions(long MemoryBytes, string StatusHeader, string Eviction, string Redis, string Namespace)
{
    public static readonly TimeSpan DefaultRedisTimeout = TimeSpan.FromMilliseconds(50);

    public TimeSpan RedisTimeout { get; init; } = DefaultRedisTimeout;

    public const long DefaultMemory = 256L << 20;
    public const string DefaultStatusHeader = "X-Cache";

    public static readonly CacheOptions Default = new(DefaultMemory, DefaultStatusHeader, S3FifoEviction.ConfigName, "", "fastgate");

    /// <summary>The status header's name as bytes (made anew: read once per bind); empty when it is off.</summary>
    public byte[] StatusHeaderBytes => Encoding.ASCII.GetBytes(StatusHeader);
}
