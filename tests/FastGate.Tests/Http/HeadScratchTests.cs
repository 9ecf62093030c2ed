using System.Buffers;
using FastGate.Http;

namespace FastGate.Tests.Http;

/// <summary>
/// A small head followed by body bytes the pipe already holds is copied, when it is copied at all, only as far as the
/// head goes: an upstream that sends head and body together (or a client its head and a POST body) must not cost a
/// linear copy of the pipe's whole content per exchange.
/// </summary>
public class HeadScratchTests
{
    private const int PipeSegment = 4096;
    private static readonly byte[] Body = Enumerable.Repeat((byte)'x', 60 * 1024).ToArray();

    [Fact]
    public void AResponseHeadInTheFirstSegmentIsParsedInPlace()
    {
        var data = Concat(Segments.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 61440\r\n\r\n"), Body);
        var parser = new Http1ResponseParser();
        var head = new ResponseHead();

        Assert.Equal(ParseStatus.Complete, parser.TryParse(AsPipeSegments(data, 0), head, HttpMethod.Get, 16 * 1024, out var consumed));

        Assert.Equal(data.Length - Body.Length, consumed);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal(0, parser.ScratchLength);
    }

    [Fact]
    public void AResponseHeadAcrossSegmentsIsCopiedOnlyAsFarAsItGoesAtEveryCut()
    {
        var headBytes = Segments.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 61440\r\nX-Upstream: A\r\n\r\n");
        var data = Concat(headBytes, Body);
        for (var cut = 1; cut <= headBytes.Length; cut++)
        {
            var parser = new Http1ResponseParser();
            var head = new ResponseHead();
            var status = parser.TryParse(AsPipeSegments(data, cut), head, HttpMethod.Get, 16 * 1024, out var consumed);

            Assert.Equal(ParseStatus.Complete, status);
            Assert.Equal(headBytes.Length, consumed);
            Assert.Equal(61440, head.ContentLength);
            Assert.InRange(parser.ScratchLength, 0, PipeSegment);
        }
    }

    [Fact]
    public void ARequestHeadFollowedByABodyAcrossSegmentsKeepsItsScratchSmallAtEveryCut()
    {
        var headBytes = Segments.Ascii("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 61440\r\n\r\n");
        var data = Concat(headBytes, Body);
        for (var cut = 1; cut <= headBytes.Length; cut++)
        {
            var parser = new Http1RequestParser();
            var head = new RequestHead();
            var status = parser.TryParse(AsPipeSegments(data, cut), head, HttpLimits.Default, out var consumed, out _);

            Assert.Equal(ParseStatus.Complete, status);
            Assert.Equal(headBytes.Length, consumed);
            Assert.InRange(parser.ScratchLength, 0, PipeSegment);
        }
    }

    [Fact]
    public void AHeadLargerThanTheLimitIsStillRefusedWhenTheBufferHoldsMore()
    {
        var fields = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-F{i:D2}: {new string('v', 1000)}\r\n"));
        var data = Concat(Segments.Ascii("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n"), Body);
        var parser = new Http1RequestParser();

        var status = parser.TryParse(AsPipeSegments(data, 100), new RequestHead(), HttpLimits.Default, out _, out var error);

        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(431, error);
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    /// <summary>The bytes as a pipe holds them: a first segment ending at <paramref name="firstCut"/> (0: a whole
    /// block), then 4 KiB blocks.</summary>
    private static ReadOnlySequence<byte> AsPipeSegments(byte[] data, int firstCut)
    {
        var cuts = new List<int>();
        for (var at = firstCut == 0 ? PipeSegment : firstCut; at < data.Length; at += PipeSegment) cuts.Add(at);
        return Segments.Split(data, cuts.ToArray());
    }
}
