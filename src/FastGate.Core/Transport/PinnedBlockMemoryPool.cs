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

    internal void Return(PinnedBlock block) => _free.Enqueue(block);

    protected override void Dispose(bool disposing) { }
}
