using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>
/// A ring of pinned blocks lent to the kernel (IORING_REGISTER_PBUF_RING): a multishot receive takes one as data
/// arrives, so an idle connection holds no buffer. The block a completion names is handed to the connection as it
/// is, and a fresh one from the pool takes its place, so received bytes are never copied.
/// </summary>
internal sealed unsafe class ProvidedBufferRing
{
    public const ushort GroupId = 0;

    private const int EntrySize = 16; // struct io_uring_buf { u64 addr; u32 len; u16 bid; u16 resv; }
    private const int TailOffset = 14; // the ring's tail overlays resv of the first entry

    private readonly byte* _ring;
    private readonly PinnedBlock[] _blocks;
    private readonly ushort _mask;
    private ushort _tail;

    private ProvidedBufferRing(byte* ring, int entries)
    {
        _ring = ring;
        _blocks = new PinnedBlock[entries];
        _mask = (ushort)(entries - 1);
        for (var i = 0; i < entries; i++) Provide((ushort)i, PinnedBlockMemoryPool.Instance.RentBlock());
        Commit();
    }

    /// <summary>Registers a ring of <paramref name="entries"/> (a power of two) blocks with the io_uring; null with the errno if refused (before 5.19).</summary>
    public static ProvidedBufferRing? TryRegister(IoUringRing ring, int entries, out int errno)
    {
        var size = (nuint)(entries * EntrySize);
        var memory = (byte*)NativeMemory.AlignedAlloc(size, 4096);
        NativeMemory.Clear(memory, size);
        var registration = stackalloc ulong[5]; // struct io_uring_buf_reg { u64 ring_addr; u32 ring_entries; u16 bgid; u16 flags; u64 resv[3]; }
        new Span<ulong>(registration, 5).Clear();
        registration[0] = (ulong)memory;
        *(uint*)(registration + 1) = (uint)entries;
        *((ushort*)(registration + 1) + 2) = GroupId;
        if (IoUringSyscalls.Register(ring.Fd, IoUringSyscalls.RegisterProvidedBufferRing, registration, 1) < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            NativeMemory.AlignedFree(memory);
            return null;
        }
        errno = 0;
        return new ProvidedBufferRing(memory, entries);
    }

    /// <summary>Takes the block the kernel filled for buffer <paramref name="id"/>; a fresh block takes its place at the next commit.</summary>
    public PinnedBlock Take(ushort id)
    {
        var block = _blocks[id];
        Provide(id, PinnedBlockMemoryPool.Instance.RentBlock());
        return block;
    }

    /// <summary>Publishes the blocks provided since the last commit to the kernel.</summary>
    public void Commit() => Volatile.Write(ref *(ushort*)(_ring + TailOffset), _tail);

    private void Provide(ushort id, PinnedBlock block)
    {
        _blocks[id] = block;
        var entry = _ring + (_tail & _mask) * EntrySize;
        *(ulong*)entry = (ulong)block.Pointer;
        *(uint*)(entry + 8) = (uint)block.Size;
        *(ushort*)(entry + 12) = id;
        _tail++;
    }
}
