using System.IO.Hashing;

namespace FastGate.Policies.Transforms;

/// <summary>
/// Remembers what <see cref="PathRegex"/> made of recent paths, so a path seen before costs a hash and a compare
/// instead of a regex run and its strings. Direct-mapped and lock-free: a slot holds one immutable entry, swapped
/// whole; a colliding path simply takes the slot over. Memory is bounded by slots × (path + result).
/// </summary>
internal sealed class PathRewriteMemo
{
    public const int Slots = 1024;
    /// <summary>Paths longer than this are rewritten every time rather than kept.</summary>
    public const int MaxPathLength = 512;

    private readonly Entry?[] _slots = new Entry?[Slots];

    /// <summary>The remembered outcome for <paramref name="path"/>: true with <paramref name="rewritten"/> null when it does not match.</summary>
    public bool TryGet(ReadOnlySpan<byte> path, out byte[]? rewritten)
    {
        var entry = Volatile.Read(ref _slots[SlotOf(path)]);
        if (entry is not null && path.SequenceEqual(entry.Path))
        {
            rewritten = entry.Rewritten;
            return true;
        }
        rewritten = null;
        return false;
    }

    public void Remember(ReadOnlySpan<byte> path, byte[]? rewritten)
    {
        if (path.Length > MaxPathLength) return;
        Volatile.Write(ref _slots[SlotOf(path)], new Entry(path.ToArray(), rewritten));
    }

    private static int SlotOf(ReadOnlySpan<byte> path) => (int)(XxHash3.HashToUInt64(path) & (Slots - 1));

    private sealed record Entry(byte[] Path, byte[]? Rewritten);
}
