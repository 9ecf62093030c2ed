using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// A bounded lock-free byte ring of log lines: many producers (the event loops), one consumer (the sink's writer
/// thread). A producer claims the exact room of its line with one compare-exchange, copies it in and publishes it by
/// writing the record's length last; when the ring is full the line is dropped and counted, so a producer never
/// waits. Lines are variable-length records (a 4-byte length, the bytes, padding to 8), so a ring holds as many
/// lines as their sizes allow instead of one fixed slot each.
/// </summary>
/// <remarks>
/// Invariant: every byte of the ring that is not inside a claimed record is zero. The consumer zeroes each record
/// before it frees the room, so a header position a later record lands on reads 0 ("not yet published") until that
/// record's producer writes it.
/// </remarks>
internal sealed class LogRing
{
    private const int HeaderSize = 4;
    /// <summary>The header of the unused tail of the ring that a record too long for it skipped.</summary>
    private const int WrapMarker = -1;

    private readonly byte[] _buffer;
    private readonly int _mask;
    private long _head;
    private long _tail;
    private long _dropped;

    /// <param name="capacity">Bytes; rounded up to a power of two, at least 4 KiB.</param>
    public LogRing(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4096, capacity));
        _buffer = new byte[size];
        _mask = size - 1;
    }

    public int Capacity => _buffer.Length;

    /// <summary>The longest line the ring takes (a quarter of it): longer ones are dropped.</summary>
    public int MaxLine => _buffer.Length / 4 - HeaderSize;

    /// <summary>Lines dropped because the ring was full (or the line longer than <see cref="MaxLine"/>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Bytes claimed and not yet consumed.</summary>
    public long Used => Volatile.Read(ref _head) - Volatile.Read(ref _tail);

    /// <summary>Copies <paramref name="line"/> (not empty) in, or drops and counts it when there is no room: never waits.</summary>
    public bool TryWrite(ReadOnlySpan<byte> line)
    {
        var size = Align(HeaderSize + line.Length);
        if (line.IsEmpty || line.Length > MaxLine) return Drop();
        while (true)
        {
            var head = Volatile.Read(ref _head);
            var tail = Volatile.Read(ref _tail);
            var offset = (int)(head & _mask);
            // A record never wraps: the rest of the ring is skipped when it does not fit there.
            var skipped = offset + size > _buffer.Length ? _buffer.Length - offset : 0;
            if (head + skipped + size - tail > _buffer.Length) return Drop();
            if (Interlocked.CompareExchange(ref _head, head + skipped + size, head) != head) continue;
            if (skipped > 0)
            {
                Volatile.Write(ref HeaderAt(offset), WrapMarker);
                offset = 0;
            }
            line.CopyTo(_buffer.AsSpan(offset + HeaderSize, line.Length));
            Volatile.Write(ref HeaderAt(offset), line.Length);
            return true;
        }
    }

    /// <summary>
    /// The consumer's side: the next published line, or false when there is none yet (the ring is empty, or the
    /// next claimed record is still being copied). Call <see cref="Release"/> once the line has been used.
    /// </summary>
    public bool TryPeek(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            line = default;
            var tail = _tail;
            if (tail == Volatile.Read(ref _head)) return false;
            var offset = (int)(tail & _mask);
            var header = Volatile.Read(ref HeaderAt(offset));
            if (header == 0) return false;
            if (header == WrapMarker)
            {
                HeaderAt(offset) = 0;
                Volatile.Write(ref _tail, tail + (_buffer.Length - offset));
                continue;
            }
            line = _buffer.AsSpan(offset + HeaderSize, header);
            return true;
        }
    }

    /// <summary>Frees the line <see cref="TryPeek"/> returned.</summary>
    public void Release()
    {
        var tail = _tail;
        var offset = (int)(tail & _mask);
        var size = Align(HeaderSize + HeaderAt(offset));
        _buffer.AsSpan(offset, size).Clear();
        Volatile.Write(ref _tail, tail + size);
    }

    private bool Drop()
    {
        Interlocked.Increment(ref _dropped);
        return false;
    }

    private ref int HeaderAt(int offset) => ref Unsafe.As<byte, int>(ref _buffer[offset]);

    private static int Align(int length) => (length + 7) & ~7;
}
