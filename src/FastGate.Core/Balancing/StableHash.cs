namespace FastGate.Balancing;

/// <summary>
/// A 64-bit hash that is the same in every process and on every machine (FNV-1a, then a murmur3 finaliser to
/// spread it): what hashing balancers need so several gateway instances send one client to one destination.
/// </summary>
public static class StableHash
{
    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes) hash = (hash ^ b) * 1099511628211UL;
        return Mix(hash);
    }

    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
