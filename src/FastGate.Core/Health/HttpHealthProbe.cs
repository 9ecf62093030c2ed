using System.Buffers.Text;
using System.Text;
using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary>
/// <c>type = "http"</c>: one HTTP/1.1 request per probe on a connection of its own (<c>Connection: close</c>), passing
/// when the status is within <c>expect_status</c> and, with <c>expect_body</c>, the first
/// <see cref="MaxBodyBytes"/> of the body (as sent: a chunked body is not decoded) contain it.
/// </summary>
public sealed class HttpHealthProbe(HealthCheckPolicy policy) : IHealthProbe
{
    public const string ConfigName = "http";
    public const string UserAgent = "FastGate-HealthCheck/1";
    public const int MaxBodyBytes = 64 * 1024;
    private const int MaxStatusLine = 1024;

    private readonly byte[] _expectBody = Encoding.UTF8.GetBytes(policy.ExpectBody);

    public string Name => ConfigName;

    /// <summary>The request sent to <paramref name="destination"/>: Host is <c>host</c>, or the destination's address.</summary>
    public byte[] RequestFor(DestinationState destination) => Encoding.ASCII.GetBytes(
        $"{policy.Method} {policy.Path} HTTP/1.1\r\nHost: {(policy.Host.Length > 0 ? policy.Host : destination.Config.Address)}\r\n"
        + $"User-Agent: {UserAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n");

    public async Task<ProbeResult> ProbeAsync(DestinationState destination, CancellationToken cancel)
    {
        var connected = false;
        try
        {
            using var socket = await ProbeSocket.ConnectAsync(destination.Config.EndPoint, cancel);
            connected = true;
            await socket.SendAsync(RequestFor(destination), System.Net.Sockets.SocketFlags.None, cancel);
            var buffer = new byte[_expectBody.Length == 0 ? MaxStatusLine : MaxStatusLine + 16 * 1024 + MaxBodyBytes];
            var filled = 0;
            var status = 0;
            while (filled < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), System.Net.Sockets.SocketFlags.None, cancel);
                if (read == 0) break;
                filled += read;
                if (status == 0)
                {
                    var lineEnd = buffer.AsSpan(0, filled).IndexOf("\r\n"u8);
                    if (lineEnd < 0) continue;
                    if (!TryParseStatus(buffer.AsSpan(0, lineEnd), out status)) return ProbeResult.Fail("invalid status line");
                    if (status < policy.StatusMin || status > policy.StatusMax) return ProbeResult.Fail($"status {status}");
                    if (_expectBody.Length == 0) return ProbeResult.Pass($"status {status}");
                }
                if (BodyMatches(buffer.AsSpan(0, filled))) return ProbeResult.Pass($"status {status}, body matched");
            }
            if (status == 0) return ProbeResult.Fail(filled == buffer.Length ? "status line too long" : "closed before the status line");
            return ProbeResult.Fail($"status {status}, body lacks \"{policy.ExpectBody}\"");
        }
        catch (Exception e)
        {
            return ProbeSocket.Failure(e, connected, cancel);
        }
    }

    private bool BodyMatches(ReadOnlySpan<byte> response)
    {
        var headEnd = response.IndexOf("\r\n\r\n"u8);
        return headEnd >= 0 && response[(headEnd + 4)..].IndexOf(_expectBody) >= 0;
    }

    /// <summary>"HTTP/1.x NNN[ reason]".</summary>
    internal static bool TryParseStatus(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ') return false;
        if (line.Length > 12 && line[12] != (byte)' ') return false;
        return Utf8Parser.TryParse(line.Slice(9, 3), out status, out var used) && used == 3 && status is >= 100 and <= 599;
    }
}
