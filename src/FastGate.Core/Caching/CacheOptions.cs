using System.Text;

namespace FastGate.Caching;

/// <summary>
/// The <c>[cache]</c> section: the L1 byte budget, its eviction policy and the status header. <c>redis</c> and
/// <c>namespace</c> are read and kept for the L2 that comes with a later change; nothing uses them yet.
/// </summary>
public sealed record CacheOptions(long MemoryBytes, string StatusHeader, string Eviction, string Redis, string Namespace)
{
    public const long DefaultMemory = 256L << 20;
    public const string DefaultStatusHeader = "X-Cache";

    public static readonly CacheOptions Default = new(DefaultMemory, DefaultStatusHeader, S3FifoEviction.ConfigName, "", "fastgate");

    /// <summary>The status header's name as bytes (made anew: read once per bind); empty when it is off.</summary>
    public byte[] StatusHeaderBytes => Encoding.ASCII.GetBytes(StatusHeader);
}
