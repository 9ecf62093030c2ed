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

    private readonly ConcurrentQueue<PinnedBlock> _free = new();
    private long _created;

    public static PinnedBlockMemoryPool Instance { get; } = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks ever made; with <see cref="Free"/>, how many are out (in pipes) or lost to the GC.</summary>
    public long Created => Interlocked.Read(ref _created);

    public int Free => _free.Count;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return RentBlock();
    }

    public PinnedBlock RentBlock()
    {
        if (_free.TryDequeue(out var block)) return block;
        Interlocked.Increment(ref _created);
        return new PinnedBlock(this, BlockSize);
    }

    /// <summary>
    /// A block of at least <paramref name="size"/> bytes: a pooled one, or for the rare write that needs more in one
    /// piece (a long header field), a one-off block the GC takes back.
    /// </summary>
    public PinnedBlock RentBlock(int size) => size <= BlockSize ? RentBlock() : new PinnedBlock(this, size);

    internal void Return(PinnedBlock block) => _free.Enqueue(block);

    protected override void Dispose(bool disposing) { }
}
