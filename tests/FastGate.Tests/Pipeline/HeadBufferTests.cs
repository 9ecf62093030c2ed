using System.Buffers;
using FastGate.Proxy;

namespace FastGate.Tests.Pipeline;

/// <summary>The head buffer hands a head's many writes to the connection's writer as few pieces, byte for byte.</summary>
public class HeadBufferTests
{
    /// <summary>Hands out exactly the room asked for (at least <c>min</c>), as a writer near the end of a block would.</summary>
    private sealed class StingyWriter(int min) : IBufferWriter<byte>
    {
        private byte[] _piece = [];
        public List<byte> Written { get; } = [];
        public int GetCalls { get; private set; }
        public int AdvanceCalls { get; private set; }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            GetCalls++;
            _piece = new byte[Math.Max(sizeHint, min)];
            return _piece;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public void Advance(int count)
        {
            AdvanceCalls++;
            Written.AddRange(_piece.AsSpan(0, count).ToArray());
        }
    }

    private static byte[] Field(int i, int valueLength) => System.Text.Encoding.ASCII.GetBytes($"X-Field-{i}: {new string((char)('a' + i % 26), valueLength)}\r\n");

    [Fact]
    public void A_head_that_fits_reaches_the_writer_with_one_get_and_one_advance()
    {
        var inner = new StingyWriter(4096);
        var buffer = new HeadBuffer();
        var output = buffer.Begin(inner);
        var expected = new List<byte>();
        for (var i = 0; i < 12; i++)
        {
            var field = Field(i, 20);
            output.Write(field);
            expected.AddRange(field);
        }
        buffer.End();
        Assert.Equal(expected, inner.Written);
        Assert.Equal(1, inner.GetCalls);
        Assert.Equal(1, inner.AdvanceCalls);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(8, 700)]
    [InlineData(40, 3000)]
    public void A_head_larger_than_the_room_spills_into_new_pieces_without_losing_or_reordering_a_byte(int fields, int valueLength)
    {
        var inner = new StingyWriter(1);
        var buffer = new HeadBuffer();
        var output = buffer.Begin(inner);
        var expected = new List<byte>();
        for (var i = 0; i < fields; i++)
        {
            var field = Field(i, valueLength);
            output.Write(field);
            expected.AddRange(field);
        }
        buffer.End();
        Assert.Equal(expected, inner.Written);
    }

    [Fact]
    public void Advancing_past_the_memory_handed_out_is_refused()
    {
        var buffer = new HeadBuffer();
        buffer.Begin(new StingyWriter(16));
        var span = buffer.GetSpan(600).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(span + 1));
    }
}
