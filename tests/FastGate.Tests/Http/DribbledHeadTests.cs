using System.Buffers;
using System.Text;
using FastGate.Http;

namespace FastGate.Tests.Http;

/// <summary>
/// A head that arrives one byte at a time, across a pipe's 4 KiB segments, costs work linear in its size: no byte is
/// searched or copied again on the next call. Measured by the parser's own count, not by time.
/// </summary>
public class DribbledHeadTests
{
    private const int PipeSegment = 4096;
    private static readonly HttpLimits Large = HttpLimits.Default with { MaxHeaderBytes = 64 * 1024 };

    [Fact]
    public void RequestHeadFedByteByByteIsExaminedAboutOnce()
    {
        var data = BigHead("GET /big HTTP/1.1\r\nHost: a\r\n");
        var whole = AsPipeSegments(data);
        var parser = new Http1RequestParser();
        var head = new RequestHead();

        var status = ParseStatus.Incomplete;
        var consumed = 0;
        for (var length = 1; length <= data.Length && status == ParseStatus.Incomplete; length++)
            status = parser.TryParse(whole.Slice(0, length), head, Large, out consumed, out _);

        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(data.Length, consumed);
        Assert.Equal(61, head.FieldCount);
        // each byte searched once and copied once into the linear buffer (plus a CR looked at again): ~2n, not ~n²/2
        Assert.InRange(parser.BytesExamined, data.Length, 2 * data.Length + 64);
    }

    [Fact]
    public void ResponseHeadFedByteByByteIsExaminedAboutOnce()
    {
        var data = BigHead("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
        var whole = AsPipeSegments(data);
        var parser = new Http1ResponseParser();
        var head = new ResponseHead();

        var status = ParseStatus.Incomplete;
        for (var length = 1; length <= data.Length && status == ParseStatus.Incomplete; length++)
            status = parser.TryParse(whole.Slice(0, length), head, HttpMethod.Get, 64 * 1024, out _);

        Assert.Equal(ParseStatus.Complete, status);
        Assert.InRange(parser.BytesExamined, data.Length, 2 * data.Length + 64);
    }

    [Fact]
    public void ResumingAfterAPartialCopyGivesTheSameHeadAsOneCall()
    {
        var data = BigHead("GET /x HTTP/1.1\r\nHost: a\r\n");
        var whole = AsPipeSegments(data);
        var dribbled = new Http1RequestParser();
        var dribbledHead = new RequestHead();
        foreach (var length in new[] { 1, 4095, 4096, 4097, 9000, 30000, data.Length })
            dribbled.TryParse(whole.Slice(0, length), dribbledHead, Large, out _, out _);
        var once = new RequestHead();
        Assert.Equal(ParseStatus.Complete, new Http1RequestParser().TryParse(whole, once, Large, out _, out _));

        Assert.Equal(once.Length, dribbledHead.Length);
        Assert.True(once.Buffer.AsSpan(0, once.Length).SequenceEqual(dribbledHead.Buffer.AsSpan(0, dribbledHead.Length)));
    }

    /// <summary>A ~60 KB head: the given start, 60 fields of about 1,000 bytes, the empty line.</summary>
    public static byte[] BigHead(string start)
    {
        var sb = new StringBuilder(start);
        for (var i = 0; i < 60; i++) sb.Append("X-Fill-").Append(i.ToString("D2")).Append(": ").Append('v', 990).Append("\r\n");
        return Segments.Ascii(sb.Append("\r\n").ToString());
    }

    private static ReadOnlySequence<byte> AsPipeSegments(byte[] data)
    {
        var cuts = new List<int>();
        for (var at = PipeSegment; at < data.Length; at += PipeSegment) cuts.Add(at);
        return Segments.Split(data, cuts.ToArray());
    }
}
