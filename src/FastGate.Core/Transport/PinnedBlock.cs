using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastGate.Transport;

/// <summary>
/// One block of <see cref="PinnedBlockMemoryPool"/>: an array on the pinned object heap, so its address never moves
/// and a send can hand it to the kernel without pinning (several blocks at once for a gathered write).
/// </summary>
internal sealed unsafe class PinnedBlock : MemoryManager<byte>
{
    private readonly PinnedBlockMemoryPool _pool;
    private readonly byte[] _array;

    public PinnedBlock(PinnedBlockMemoryPool pool, int size)
    {
        _pool = pool;
        _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        Pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
    }

    public byte* Pointer { get; }

    public int Size => _array.Length;

    /// <summary>The block as a segment of a <see cref="SocketReader"/>'s bytes; made once, on first use.</summary>
    public BlockSegment Segment => _segment ??= new BlockSegment(this);

    private BlockSegment? _segment;

    public override Span<byte> GetSpan() => _array;

    public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);

    public override void Unpin() { }

    /// <summary>The pipe is done with the block: back to the pool, unless it is a one-off larger block.</summary>
    protected override void Dispose(bool disposing)
    {
        if (_array.Length == PinnedBlockMemoryPool.BlockSize) _pool.Return(this);
    }
}
