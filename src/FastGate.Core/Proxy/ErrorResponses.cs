using System.Text;

namespace FastGate.Proxy;

/// <summary>The gateway's own answers, built once: a short text body, and Connection: close when the connection ends.</summary>
internal static class ErrorResponses
{
    private static readonly (int Status, string Reason)[] Known =
    [
        (400, "Bad Request"), (404, "Not Found"), (405, "Method Not Allowed"), (408, "Request Timeout"),
        (413, "Content Too Large"), (414, "URI Too Long"), (417, "Expectation Failed"),
        (431, "Request Header Fields Too Large"), (500, "Internal Server Error"), (501, "Not Implemented"),
        (502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout"),
        (505, "HTTP Version Not Supported"),
    ];

    private static readonly byte[][] KeepOpen = Build(close: false);
    private static readonly byte[][] Closing = Build(close: true);

    public static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    public static ReadOnlySpan<byte> Get(int status, bool close)
    {
        var table = close ? Closing : KeepOpen;
        for (var i = 0; i < Known.Length; i++)
            if (Known[i].Status == status) return table[i];
        return table[Array.FindIndex(Known, k => k.Status == 500)];
    }

    private static byte[][] Build(bool close)
    {
        var result = new byte[Known.Length][];
        for (var i = 0; i < Known.Length; i++)
        {
            var (status, reason) = Known[i];
            var body = reason + "\n";
            result[i] = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n" +
                (close ? "Connection: close\r\n" : "") + "Server: FastGate\r\n\r\n" + body);
        }
        return result;
    }
}
