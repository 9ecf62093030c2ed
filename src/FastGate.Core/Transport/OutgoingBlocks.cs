namespace FastGate.Transport;

/// <summary>
/// The bytes a connection's writer holds: pinned blocks chained as segments, written at the tail, flushed up to
/// <see cref="Commit"/>, sent from the head. A mutable struct, kept as a field of its writer.
/// </summary>
internal struct OutgoingBlocks
{
    private BlockSegment? _head;
    /// <summary>Bytes of <see cref="_head"/> already sent.</summary>
    private int _headSent;
    private BlockSegment? _tail;
    /// <summary>Running index up to which bytes were flushed: what a send may take.</summary>
    private long _committed;

    public readonly BlockSegment? Tail => _tail;

    /// <summary>Flushed bytes not yet sent.</summary>
    public readonly long Unsent => _head is null ? 0 : _committed - (_head.RunningIndex + _headSent);

    /// <summary>Written bytes not yet flushed.</summary>
    public readonly long Unflushed => _tail is null ? 0 : _tail.RunningIndex + _tail.Length - _committed;

    /// <summary>Makes room for <paramref name="sizeHint"/> bytes at the tail.</summary>
    public void EnsureRoom(int sizeHint)
    {
        if (_tail is not null && _tail.Free >= sizeHint) return;
        var segment = PinnedBlockMemoryPool.Instance.RentBlock(sizeHint).Segment;
        if (_tail is null)
        {
            segment.Start(0);
            _head = segment;
            _headSent = 0;
            _committed = 0;
        }
        else _tail.Append(segment);
        _tail = segment;
    }

    /// <summary>A flush: everything written may be sent.</summary>
    public void Commit()
    {
        if (_tail is not null) _committed = _tail.RunningIndex + _tail.Length;
    }

    /// <summary>Points up to <paramref name="max"/> vectors at the unsent bytes from the head; returns how many.</summary>
    public readonly unsafe int Gather(LibC.IoVector* vectors, int max)
    {
        var count = 0;
        var segment = _head;
        var offset = _headSent;
        var left = Unsent;
        while (segment is not null && count < max && left > 0)
        {
            var length = (int)Math.Min(segment.Length - offset, left);
            if (length > 0)
            {
                vectors[count].Base = segment.Block.Pointer + offset;
                vectors[count].Length = (nuint)length;
                count++;
                left -= length;
            }
            segment = (BlockSegment?)segment.Next;
            offset = 0;
        }
        return count;
    }

    /// <summary><paramref name="sent"/> bytes went out: fully sent blocks before the tail go back to the pool.</summary>
    public void Consume(nint sent)
    {
        while (true)
        {
            var inHead = _head!.Length - _headSent;
            if (sent < inHead || _head == _tail)
            {
                _headSent += (int)sent;
                return;
            }
            sent -= inHead;
            var next = (BlockSegment)_head.Next!;
            _head.Release();
            _head = next;
            _headSent = 0;
        }
    }

    public void ReleaseAll()
    {
        BlockSegment.ReleaseChain(_head);
        _head = _tail = null;
        _headSent = 0;
        _committed = 0;
    }
}
