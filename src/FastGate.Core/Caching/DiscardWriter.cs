using System.IO.Pipelines;

namespace FastGate.Caching;

/// <summary>The "client" of a background refresh: takes every byte and keeps none (the fill's tee copies what it needs).</summary>
internal sealed class DiscardWriter : PipeWriter
{
    private byte[] _buffer = new byte[16 * 1024];

    public override void Advance(int bytes) { }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > _buffer.Length) _buffer = new byte[sizeHint];
        return _buffer;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void CancelPendingFlush() { }

    public override void Complete(Exception? exception = null) { }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, false));
}
