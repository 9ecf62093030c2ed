using System.Buffers;
using System.Collections.Concurrent;

namespace FastGate.Transport;

/// <summary>
/// Fixed-size pinned blocks for the transport's pipes, reused forever: after warm-up, renting allocates nothing.
/// (Kestrel's own pinned pool is internal.)
/// </summary>
internal sealed class PinnedBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    /// <summary>
    /// Blocks each thread keeps for itself in front of the shared queue: an exchange gives back and rents again
    /// about four blocks, nearly always on the same event-loop thread, so most rents cost no atomic operation.
    /// </summary>
    private const int SparesPerThread = 8;

    [ThreadStatic] private static PinnedBlock?[]? t_spares;
    [ThreadStatic] private static int t_spareCount;

    private readonly ConcurrentQueue<PinnedBlock> _free = new();
    private long _created;

    public static PinnedBlockMemoryPool Instance { get; } = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks ever made; with <see cref="Free"/>, how many are out (in pipes) or lost to the GC.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Blocks in the shared queue; each thread may hold up to <see cref="SparesPerThread"/> more.</summary>
    public int Free => _free.Count;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return RentBlock();
    }

    public PinnedBlock RentBlock()
    {
        var spares = t_spares;
        if (spares is not null && t_spareCount > 0)
        {
            var spare = spares[--t_spareCount]!;
            spares[t_spareCount] = null;
            return spare;
        }
        if (_free.TryDequeue(out var block)) return block;
        Interlocked.Increment(ref _created);
        return new PinnedBlock(this, BlockSize);
    }

    /// <summary>
    /// A block of at least <paramref name="size"/> bytes: a pooled one, or for the rare write that needs more in one
    /// piece (a long header field), a one-off block the GC takes back.
    /// </summary>
    public PinnedBlock RentBlock(int size) => size <= BlockSize ? RentBlock() : new PinnedBlock(this, size);

    internal void Return(PinnedBlock block)
    {
        var spares = t_spares ??= new PinnedBlock?[SparesPerThread];
        if (t_spareCount < SparesPerThread)
        {
            spares[t_spareCount++] = block;
            return;
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing) { }
}
