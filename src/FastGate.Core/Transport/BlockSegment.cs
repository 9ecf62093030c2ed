using System.Buffers;

namespace FastGate.Transport;

/// <summary>
/// A <see cref="PinnedBlock"/> as one segment of the bytes a <see cref="SocketReader"/> or <see cref="SocketWriter"/> holds: the block's filled
/// start as <see cref="ReadOnlySequenceSegment{T}.Memory"/>. Each block has one for life, so chaining costs nothing.
/// </summary>
internal sealed class BlockSegment(PinnedBlock block) : ReadOnlySequenceSegment<byte>
{
    public PinnedBlock Block { get; } = block;

    /// <summary>Bytes filled from the block's start.</summary>
    public int Length { get; private set; }

    public int Free => Block.Size - Length;

    /// <summary>Starts the segment empty at <paramref name="runningIndex"/>, last in its chain.</summary>
    public void Start(long runningIndex)
    {
        RunningIndex = runningIndex;
        Next = null;
        SetLength(0);
    }

    public void SetLength(int length)
    {
        Length = length;
        Memory = Block.Memory[..length];
    }

    public void Append(BlockSegment next)
    {
        next.Start(RunningIndex + Length);
        Next = next;
    }

    /// <summary>Gives back every block of the chain that starts at <paramref name="head"/>.</summary>
    public static void ReleaseChain(BlockSegment? head)
    {
        while (head is not null)
        {
            var next = (BlockSegment?)head.Next;
            head.Release();
            head = next;
        }
    }

    /// <summary>Unchains the segment and gives its block back to the pool.</summary>
    public void Release()
    {
        Next = null;
        Memory = default;
        ((IMemoryOwner<byte>)Block).Dispose();
    }
}
