using System.Buffers;
using FastGate.Http;

namespace FastGate.Tests.Http;

public class ChunkedDecoderTests
{
    /// <summary>Decodes the body fed as the prefix up to every cut and then the rest, as a pipe would.</summary>
    private static (ParseStatus Status, string Output) DecodeAllWays(string body, bool reframe)
    {
        var data = Segments.Ascii(body);
        var whole = Decode(data, [data.Length], reframe);
        for (var cut = 1; cut < data.Length; cut++)
            Assert.Equal(whole, Decode(data, [cut, data.Length], reframe));
        Assert.Equal(whole, Decode(data, Enumerable.Range(1, data.Length).ToArray(), reframe));
        return whole;
    }

    /// <summary>Offers the decoder growing prefixes of the input, keeping unconsumed bytes like a PipeReader.</summary>
    private static (ParseStatus, string) Decode(byte[] data, int[] arrivals, bool reframe)
    {
        var decoder = new ChunkedDecoder();
        decoder.Reset();
        var output = new ArrayBufferWriter<byte>();
        var start = 0;
        foreach (var available in arrivals)
        {
            var status = decoder.Decode(Segments.Split(data[start..available], 1), output, reframe, 1024, out var consumed);
            start += (int)Segments.Split(data[start..available], 1).Slice(0, consumed).Length;
            if (status != ParseStatus.Incomplete) return (status, RequestFeeder.Text(output.WrittenSpan));
        }
        return (ParseStatus.Incomplete, RequestFeeder.Text(output.WrittenSpan));
    }

    [Fact]
    public void ReframesChunksAndKeepsTrailers()
    {
        var (status, output) = DecodeAllWays("5;ext=1\r\nhello\r\na\r\n0123456789\r\n0\r\nX-Sum: 9\r\n\r\n", reframe: true);
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal("5\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 9\r\n\r\n", output);
    }

    [Fact]
    public void DecodesDataOnlyForHttp10Clients()
    {
        var (status, output) = DecodeAllWays("3\r\nabc\r\n0\r\n\r\n", reframe: false);
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal("abc", output);
    }

    [Theory]
    [InlineData("5 ; name = \"quoted \\\" value\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a;b=c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("00005\r\nhello\r\n0\r\n\r\n")]
    public void AcceptsValidExtensionsAndLeadingZeros(string body) => Assert.Equal(ParseStatus.Complete, DecodeAllWays(body, true).Status);

    [Theory]
    [InlineData("5\nhello\r\n0\r\n\r\n")]           // bare LF after size
    [InlineData("5\r\nhello\n0\r\n\r\n")]           // data not followed by CRLF
    [InlineData("5\r\nhelloXX0\r\n\r\n")]           // data longer than its size
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]        // whitespace before size
    [InlineData("5 x\r\nhello\r\n0\r\n\r\n")]       // junk after size
    [InlineData("5  \t \r\nhello\r\n0\r\n\r\n")]   // whitespace after size without an extension
    [InlineData("5;a=b \r\nhello\r\n0\r\n\r\n")]    // whitespace after an extension
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]       // not hex digits only
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("\r\nhello\r\n0\r\n\r\n")]          // empty size
    [InlineData("fffffffffffffffff\r\n")]            // overflow
    [InlineData("5;\r\nhello\r\n0\r\n\r\n")]        // empty extension name
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n")]      // empty extension value
    [InlineData("5\r\nhello\r\n0\r\nBad Trailer\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\n folded: x\r\n\r\n")]
    public void RejectsBadFraming(string body) => Assert.Equal(ParseStatus.Error, DecodeAllWays(body, true).Status);

    [Fact]
    public void StopsAtTheEndOfTheBody()
    {
        var data = Segments.Ascii("1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n");
        var decoder = new ChunkedDecoder();
        decoder.Reset();
        var sequence = new ReadOnlySequence<byte>(data);
        Assert.Equal(ParseStatus.Complete, decoder.Decode(sequence, new ArrayBufferWriter<byte>(), true, 1024, out var consumed));
        Assert.Equal(11, sequence.Slice(0, consumed).Length);
        Assert.Equal(1, decoder.DataBytes);
    }
}
