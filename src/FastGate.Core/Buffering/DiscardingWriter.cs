using System.Buffers;

namespace FastGate.Buffering;

/// <summary>
/// A buffer writer that keeps nothing: for running the chunked decoder over a body only to learn where it ends.
/// One scratch array serves every caller at once; what is written into it is never read.
/// </summary>
internal sealed class DiscardingWriter : IBufferWriter<byte>
{
    private readonly byte[] _scratch = new byte[4096];

    public static DiscardingWriter Instance { get; } = new();

    public void Advance(int count) { }

    public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _scratch.Length ? _scratch : new byte[sizeHint];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
