using System.Text;

namespace FastGate.SampleUpstream;

/// <summary>The four possible answers for one listening port, encoded once at startup.</summary>
public sealed class Responses
{
    public Responses(int port)
    {
        Get = Build(port, includeBody: true, close: false);
        Head = Build(port, includeBody: false, close: false);
        GetClose = Build(port, includeBody: true, close: true);
        HeadClose = Build(port, includeBody: false, close: true);
        BadRequest = Encoding.ASCII.GetBytes(
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        HeaderTooLarge = Encoding.ASCII.GetBytes(
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    public byte[] Get { get; }
    public byte[] Head { get; }
    public byte[] GetClose { get; }
    public byte[] HeadClose { get; }
    public byte[] BadRequest { get; }
    public byte[] HeaderTooLarge { get; }

    public byte[] For(bool isHead, bool keepAlive) =>
        isHead ? (keepAlive ? Head : HeadClose) : (keepAlive ? Get : GetClose);

    private static byte[] Build(int port, bool includeBody, bool close)
    {
        var sb = new StringBuilder()
            .Append("HTTP/1.1 200 OK\r\n")
            .Append("Content-Type: text/plain\r\n")
            .Append("Content-Length: 13\r\n")
            .Append("X-Upstream: ").Append(port).Append("\r\n");
        if (close)
        {
            sb.Append("Connection: close\r\n");
        }
        sb.Append("\r\n");
        if (includeBody)
        {
            sb.Append("Hello, World!");
        }
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
