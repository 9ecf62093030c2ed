using FastGate.Http;

namespace FastGate.Tests.Http;

/// <summary>
/// Feeds a request to a parser the way a pipe can: at every split point (the prefix first, then the whole input in
/// two segments, keeping the parser's resumable state) and one byte at a time, and checks every way gives one verdict.
/// </summary>
internal static class RequestFeeder
{
    public sealed record Outcome(ParseStatus Status, int Error, int Consumed);

    public static Outcome ParseAllWays(string raw, HttpLimits? limits = null, Action<RequestHead>? check = null)
    {
        limits ??= HttpLimits.Default;
        var data = Segments.Ascii(raw);
        var whole = ParseOnce(data, limits, check);

        for (var cut = 1; cut < data.Length; cut++)
        {
            var parser = new Http1RequestParser();
            var head = new RequestHead();
            var prefix = parser.TryParse(Segments.Split(data[..cut]), head, limits, out _, out var prefixError);
            if (prefix == ParseStatus.Error)
            {
                // an error may show early, but only the same one the whole input gives
                Assert.Equal(whole.Error, prefixError);
                continue;
            }
            if (prefix == ParseStatus.Complete)
            {
                Assert.Equal(ParseStatus.Complete, whole.Status);
                continue; // a complete head before the end: the rest is body or the next request
            }
            var status = parser.TryParse(Segments.Split(data, cut), head, limits, out var consumed, out var error);
            Assert.Equal(whole, new Outcome(status, error, consumed));
            if (status == ParseStatus.Complete) check?.Invoke(head);
        }

        var bytewiseParser = new Http1RequestParser();
        var bytewiseHead = new RequestHead();
        for (var length = 1; length <= data.Length; length++)
        {
            var status = bytewiseParser.TryParse(Segments.Bytewise(data[..length]), bytewiseHead, limits, out var consumed, out var error);
            if (status == ParseStatus.Incomplete) continue;
            Assert.Equal(whole, new Outcome(status, error, consumed));
            if (status == ParseStatus.Complete) check?.Invoke(bytewiseHead);
            break;
        }
        return whole;
    }

    private static Outcome ParseOnce(byte[] data, HttpLimits limits, Action<RequestHead>? check)
    {
        var parser = new Http1RequestParser();
        var head = new RequestHead();
        var status = parser.TryParse(Segments.Split(data), head, limits, out var consumed, out var error);
        if (status == ParseStatus.Complete) check?.Invoke(head);
        return new Outcome(status, error, consumed);
    }

    public static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}
