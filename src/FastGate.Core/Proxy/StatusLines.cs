using System.Buffers;
using System.Text;

namespace FastGate.Proxy;

/// <summary>Pre-encoded status lines and default bodies for the statuses the gateway answers with itself.</summary>
internal static class StatusLines
{
    private static readonly byte[]?[] s_lines = new byte[600][];
    private static readonly byte[]?[] s_bodies = new byte[600][];

    static StatusLines()
    {
        (int Status, string Reason)[] known =
        [
            (100, "Continue"), (200, "OK"), (204, "No Content"), (304, "Not Modified"),
            (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"),
            (405, "Method Not Allowed"), (408, "Request Timeout"), (413, "Content Too Large"), (414, "URI Too Long"),
            (417, "Expectation Failed"), (429, "Too Many Requests"), (431, "Request Header Fields Too Large"),
            (500, "Internal Server Error"), (501, "Not Implemented"), (502, "Bad Gateway"), (503, "Service Unavailable"),
            (504, "Gateway Timeout"), (505, "HTTP Version Not Supported"),
        ];
        foreach (var (status, reason) in known)
        {
            s_lines[status] = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\n");
            s_bodies[status] = Encoding.ASCII.GetBytes(reason + "\n");
        }
    }

    public static void Write(IBufferWriter<byte> output, int status)
    {
        if ((uint)status < (uint)s_lines.Length && s_lines[status] is { } line)
        {
            output.Write(line);
            return;
        }
        // A status without a known reason: the reason phrase may be empty (RFC 9112 §4).
        var span = output.GetSpan(16);
        "HTTP/1.1 "u8.CopyTo(span);
        status.TryFormat(span[9..], out var written);
        span[9 + written] = (byte)' ';
        span[10 + written] = (byte)'\r';
        span[11 + written] = (byte)'\n';
        output.Advance(12 + written);
    }

    /// <summary>The short text body of a gateway answer ("Not Found\n"); empty for a status without one.</summary>
    public static ReadOnlySpan<byte> DefaultBody(int status)
        => (uint)status < (uint)s_bodies.Length && s_bodies[status] is { } body ? body : default;
}
