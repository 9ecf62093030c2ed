using System.Buffers;

namespace FastGate.Proxy;

/// <summary>
/// Gathers the many small writes of a head (a field is one or a few) into memory taken once from the connection's
/// writer, and hands it back with one <c>Advance</c>. The transports' writers take their monitor on every
/// GetMemory and Advance; a head of 12 fields went through it about 25 times, this way twice.
/// </summary>
/// <remarks>
/// Between <see cref="Begin"/> and <see cref="End"/> nothing else may write to or flush the inner writer. A write
/// that does not fit in what is left hands the bytes so far back and takes a new piece, so any head fits.
/// </remarks>
internal sealed class HeadBuffer : IBufferWriter<byte>
{
    /// <summary>The least room asked for up front: most heads fit in what a block has left.</summary>
    private const int FirstHint = 512;

    private IBufferWriter<byte>? _inner;
    private Memory<byte> _memory;
    private int _written;

    public IBufferWriter<byte> Begin(IBufferWriter<byte> inner)
    {
        _inner = inner;
        _memory = inner.GetMemory(FirstHint);
        _written = 0;
        return this;
    }

    /// <summary>The head is written: its bytes go to the inner writer.</summary>
    public void End()
    {
        _inner!.Advance(_written);
        _inner = null;
        _memory = default;
        _written = 0;
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_memory.Length - _written)) throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_memory.Length - _written < sizeHint) TakeMore(sizeHint);
        return _memory[_written..];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_memory.Length - _written < sizeHint) TakeMore(sizeHint);
        return _memory.Span[_written..];
    }

    private void TakeMore(int sizeHint)
    {
        _inner!.Advance(_written);
        _written = 0;
        _memory = _inner.GetMemory(Math.Max(sizeHint, FirstHint));
    }
}
