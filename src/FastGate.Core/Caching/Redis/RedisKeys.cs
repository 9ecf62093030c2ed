using StackExchange.Redis;

namespace FastGate.Caching;

/// <summary>
/// The Redis names of one namespace. An entry is <c>ns:{primary}</c> (a response without Vary, or a Vary marker) or
/// <c>ns:{primary}:variant</c>, hashes in hex: the braces are a Redis Cluster hash tag, so a marker and its variants
/// share a slot and are written in one transaction. A tag's set of entry names is <c>ns:tag:TAG</c>; purges are
/// published on <c>ns:purge</c>.
/// </summary>
internal sealed class RedisKeys(string ns)
{
    public string Namespace => ns;

    public RedisKey Entry(ulong primary, ulong hash) =>
        primary == hash ? $"{ns}:{{{primary:x16}}}" : $"{ns}:{{{primary:x16}}}:{hash:x16}";

    public RedisKey Tag(string tag) => $"{ns}:tag:{tag}";

    /// <summary>What SCAN looks for: every entry of the namespace, no tag set.</summary>
    public string EntryPattern => $"{ns}:{{*";

    public RedisChannel Purges => RedisChannel.Literal($"{ns}:purge");
}
