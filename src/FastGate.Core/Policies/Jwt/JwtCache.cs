using System.IO.Hashing;

namespace FastGate.Policies.Jwt;

/// <summary>
/// Validated tokens by the XxHash3 of their bytes: a fixed table of <see cref="Capacity"/> slots, one entry each, so
/// a newer token whose hash lands on a taken slot evicts the older (the cache stays bounded without a lock or a
/// sweep). A hit needs the same bytes (compared whole) and an entry not yet expired; it allocates nothing.
/// </summary>
internal sealed class JwtCache
{
    public const int Capacity = 16384;

    private readonly JwtCacheEntry?[] _slots = new JwtCacheEntry?[Capacity];

    public static ulong Hash(ReadOnlySpan<byte> token) => XxHash3.HashToUInt64(token);

    /// <summary>The entry of this very token, unexpired and validated by <paramref name="keys"/> (the source's current set); else null.</summary>
    public JwtCacheEntry? Get(ReadOnlySpan<byte> token, ulong hash, long now, JwtKeySet? keys)
    {
        var entry = Volatile.Read(ref _slots[(int)(hash & (Capacity - 1))]);
        return entry is not null && entry.Hash == hash && now < entry.ExpiresAt && ReferenceEquals(entry.Keys, keys)
            && token.SequenceEqual(entry.Token) ? entry : null;
    }

    public void Add(JwtCacheEntry entry) => Volatile.Write(ref _slots[(int)(entry.Hash & (Capacity - 1))], entry);

    /// <summary>Entries held now (expired ones included until replaced).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var slot in _slots)
            {
                if (slot is not null) count++;
            }
            return count;
        }
    }
}
