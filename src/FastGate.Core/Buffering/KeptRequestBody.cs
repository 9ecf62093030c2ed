using System.Buffers;
using System.IO.Pipelines;

namespace FastGate.Buffering;

/// <summary>
/// A request body read whole from the client before the first attempt (at most <c>retry.max_body</c>), so that a
/// retry can send it again: each attempt reads it from the start through <see cref="Reader"/>. The bytes are kept
/// as received (chunk framing included), so every attempt's relay frames them the way the first did. The buffer
/// comes from the shared array pool and goes back when the exchange ends.
/// </summary>
internal sealed class KeptRequestBody
{
    private byte[]? _buffer;
    private int _length;

    public KeptRequestBody() => Reader = new ArrayReader(this);

    /// <summary>True while a body is kept for this exchange.</summary>
    public bool IsKept => _buffer is not null;

    /// <summary>The kept body, from its first byte for every attempt (<see cref="Rewind"/>).</summary>
    public PipeReader Reader { get; }

    /// <summary>Copies the first <paramref name="length"/> bytes of <paramref name="body"/> and keeps them.</summary>
    public void Keep(ReadOnlySequence<byte> body, int length)
    {
        Release();
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        body.Slice(0, length).CopyTo(_buffer);
        _length = length;
        Rewind();
    }

    /// <summary>Starts the next attempt's read at the first byte.</summary>
    public void Rewind() => ((ArrayReader)Reader).Rewind();

    public void Release()
    {
        if (_buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _buffer = null;
        _length = 0;
    }

    /// <summary>A pipe reader over the kept bytes: every read completes at once, with the rest of the body and the end.</summary>
    private sealed class ArrayReader(KeptRequestBody body) : PipeReader
    {
        private int _consumed;

        public void Rewind() => _consumed = 0;

        private ReadResult Current => new(new ReadOnlySequence<byte>(body._buffer ?? [], _consumed, body._length - _consumed),
            isCanceled: false, isCompleted: true);

        public override bool TryRead(out ReadResult result)
        {
            result = Current;
            return true;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => new(Current);

        // An array-backed sequence's positions are indexes into that array.
        public override void AdvanceTo(SequencePosition consumed) => _consumed = consumed.GetInteger();

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => AdvanceTo(consumed);

        public override void CancelPendingRead() { }

        public override void Complete(Exception? exception = null) { }
    }
}
