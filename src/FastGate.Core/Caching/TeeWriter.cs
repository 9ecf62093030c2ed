using System.IO.Pipelines;

namespace FastGate.Caching;

/// <summary>
/// A <see cref="PipeWriter"/> in front of the client's: what the body relay writes goes on unchanged and is copied
/// into the exchange's fill. One per exchange state, reused.
/// </summary>
internal sealed class TeeWriter(CacheExchange state) : PipeWriter
{
    private PipeWriter _inner = null!;
    private Memory<byte> _last;

    public PipeWriter Wrap(PipeWriter inner)
    {
        _inner = inner;
        return this;
    }

    public void Release()
    {
        _inner = null!;
        _last = default;
    }

    public override void Advance(int bytes)
    {
        state.Capture(_last.Span[..bytes]);
        _last = default;
        _inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = _inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);
}
