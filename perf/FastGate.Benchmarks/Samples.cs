using System.Buffers;
using System.Text;

namespace FastGate.Benchmarks;

/// <summary>Realistic wire inputs shared by the benchmarks. Built once; the benchmarks only read them.</summary>
internal static class Samples
{
    /// <summary>What curl sends by default.</summary>
    public static readonly byte[] SmallGet = Ascii(
        "GET /api/v1/users/42 HTTP/1.1\r\n" +
        "Host: api.example.com\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "Accept: */*\r\n" +
        "\r\n");

    /// <summary>The curl GET with a path that needs normalising: dot segments, an encoded dot segment, escapes.</summary>
    public static readonly byte[] DotSegmentGet = Ascii(
        "GET /api/v1/../v2/%7Eusers/%2e/x/%2E%2E/42%3b HTTP/1.1\r\n" +
        "Host: api.example.com\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "Accept: */*\r\n" +
        "\r\n");

    /// <summary>A Chrome 124 navigation: 15 header fields, ~1.1 KB.</summary>
    public static readonly byte[] BrowserGet = Ascii(
        "GET /app/products/42?ref=home&utm_source=newsletter HTTP/1.1\r\n" +
        "Host: www.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "sec-ch-ua-platform: \"Windows\"\r\n" +
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-User: ?1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Referer: https://www.example.com/app/products\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n" +
        "Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; _ga=GA1.2.1234567890.1700000000; theme=dark; cart=3\r\n" +
        "\r\n");

    /// <summary>A JSON upload with a chunked body (3 data chunks, 2.5 KB, one extension) and a trailer, head and body in one buffer.</summary>
    public static readonly byte[] ChunkedPost = BuildChunkedPost();

    /// <summary>A typical upstream answer: 8 fields, Content-Length framing.</summary>
    public static readonly byte[] ResponseHead = Ascii(
        "HTTP/1.1 200 OK\r\n" +
        "Date: Tue, 14 May 2024 09:30:00 GMT\r\n" +
        "Server: nginx/1.25.3\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        "Content-Length: 1534\r\n" +
        "Connection: keep-alive\r\n" +
        "Cache-Control: private, max-age=0\r\n" +
        "ETag: \"33a64df551425fcc55e4d42a148795d9f25f788d\"\r\n" +
        "Vary: Accept-Encoding\r\n" +
        "\r\n");

    public static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>The same bytes as two linked segments, cut at <paramref name="splitAt"/>, as a pipe hands over a head that straddles two reads.</summary>
    public static ReadOnlySequence<byte> TwoSegments(byte[] data, int splitAt)
    {
        var first = new Segment(data.AsMemory(0, splitAt), 0);
        var second = new Segment(data.AsMemory(splitAt), splitAt);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private static byte[] BuildChunkedPost()
    {
        var sb = new StringBuilder();
        sb.Append("POST /api/v1/orders HTTP/1.1\r\n");
        sb.Append("Host: api.example.com\r\n");
        sb.Append("User-Agent: okhttp/4.12.0\r\n");
        sb.Append("Content-Type: application/json\r\n");
        sb.Append("Accept: application/json\r\n");
        sb.Append("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\r\n");
        sb.Append("Transfer-Encoding: chunked\r\n");
        sb.Append("\r\n");
        AppendChunk(sb, 1024, "");
        AppendChunk(sb, 1024, ";ext=1");
        AppendChunk(sb, 512, "");
        sb.Append("0\r\nX-Checksum: 8c3f\r\n\r\n");
        return Ascii(sb.ToString());
    }

    private static void AppendChunk(StringBuilder sb, int size, string extension)
    {
        sb.Append(size.ToString("x")).Append(extension).Append("\r\n");
        for (var i = 0; i < size; i++) sb.Append((char)('a' + i % 26));
        sb.Append("\r\n");
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
