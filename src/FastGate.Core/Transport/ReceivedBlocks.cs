using System.Buffers;

namespace FastGate.Transport;

/// <summary>
/// The bytes a connection's reader holds: pinned blocks chained as segments, what the application has consumed
/// cut from the front and what it has examined remembered. A mutable struct, kept as a field of its reader.
/// </summary>
internal struct ReceivedBlocks
{
    private BlockSegment? _head;
    private int _headStart;
    private BlockSegment? _tail;
    /// <summary>Running index up to which the reader has looked at the bytes; past it, a read returns at once.</summary>
    private long _examined;

    public readonly BlockSegment? Tail => _tail;

    public readonly bool IsEmpty => _tail is null;

    public readonly ReadOnlySequence<byte> Buffer => _head is null ? default : new(_head, _headStart, _tail!, _tail!.Length);

    /// <summary>Bytes the reader has not looked at yet.</summary>
    public readonly long Unexamined => _tail is null ? 0 : _tail.RunningIndex + _tail.Length - _examined;

    /// <summary>Chains <paramref name="segment"/> (empty or filled) after the last block.</summary>
    public void Append(BlockSegment segment)
    {
        if (_tail is null)
        {
            segment.Start(0);
            _head = segment;
            _headStart = 0;
            _examined = 0;
        }
        else _tail.Append(segment);
        _tail = segment;
    }

    /// <summary>The reader's AdvanceTo: consumed blocks go back to the pool; with nothing left, none is kept.</summary>
    public void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_head is null) return;
        if (examined.GetObject() is BlockSegment seen) _examined = seen.RunningIndex + examined.GetInteger();
        if (consumed.GetObject() is not BlockSegment segment) return;
        while (_head != segment)
        {
            var next = (BlockSegment)_head!.Next!;
            _head.Release();
            _head = next;
        }
        _headStart = consumed.GetInteger();
        if (_headStart == _head.Length && _head.Next is BlockSegment following)
        {
            _head.Release();
            _head = following;
            _headStart = 0;
        }
        // Everything read is consumed: no block is kept, so a connection between requests holds none.
        if (_head == _tail && _headStart == _tail!.Length) ReleaseAll();
    }

    /// <summary>Drops the last block when nothing landed in it.</summary>
    public void TrimEmptyTail()
    {
        if (_tail is not null && _tail.Length == 0 && _head == _tail) ReleaseAll();
    }

    public void ReleaseAll()
    {
        BlockSegment.ReleaseChain(_head);
        _head = _tail = null;
        _headStart = 0;
        _examined = 0;
    }
}
