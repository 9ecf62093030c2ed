namespace FastGate.Caching;

/// <summary>
/// A stored response, ready to write: the head (status line and fields, Content-Length included; no Age, no
/// hop-by-hop fields, no final CRLF) and the body. Immutable once stored, except the eviction policy's fields.
/// A Vary marker (<see cref="VaryNames"/> set, no head) stands at a primary key whose variants live under secondary keys.
/// </summary>
public sealed class CacheEntry
{
    /// <summary>Bytes an entry costs beyond its arrays (object headers, queue slots, dictionary node), for the budget.</summary>
    internal const int Overhead = 160;

    public required ulong Hash { get; init; }
    /// <summary>The primary key's hash: the entry's own for a response without Vary, its marker's for a variant (L2 puts both in one Redis Cluster slot).</summary>
    public ulong PrimaryHash { get => _primaryHash == 0 ? Hash : _primaryHash; init => _primaryHash = value; }
    /// <summary>The full key the hash was made from, compared on every hit so a hash collision is a miss, never a wrong answer.</summary>
    public required byte[] Key { get; init; }
    public byte[] Head { get; init; } = [];
    public byte[] Body { get; init; } = [];
    public int Status { get; init; }
    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of storing, and of the end of freshness.</summary>
    public long StoredAt { get; init; }
    public long ExpiresAt { get; init; }
    /// <summary>The upstream's Age when the response arrived, in seconds.</summary>
    public long InitialAge { get; init; }
    /// <summary>May answer a request with Authorization (the response had public, s-maxage or must-revalidate).</summary>
    public bool AllowsAuthorized { get; init; }
    /// <summary>For a Vary marker: the request header names (lower case) that select the variant; null for a response.</summary>
    public byte[][]? VaryNames { get; init; }
    /// <summary>The origin's tags (<c>Surrogate-Key</c>, <c>Cache-Tag</c>) that a purge by tag names.</summary>
    public string[] Tags { get; init; } = [];
    /// <summary>For a variant that a fill stored: its Vary marker, written to L2 along with it.</summary>
    internal CacheEntry? Marker { get; init; }

    public int Size => Head.Length + Body.Length + Key.Length + Overhead;

    private readonly ulong _primaryHash;

    // The eviction policy's state, written under the store's lock (and Frequency by hits, racily: it is a hint).
    internal int Frequency;
    internal byte Queue;
    internal bool Removed;
    internal CacheEntry? Prev, Next;
}
