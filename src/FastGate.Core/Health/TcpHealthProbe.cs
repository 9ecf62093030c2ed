using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary><c>type = "tcp"</c>: the destination passes when a TCP connection to it opens within the timeout; it is closed at once.</summary>
public sealed class TcpHealthProbe : IHealthProbe
{
    public const string ConfigName = "tcp";

    public string Name => ConfigName;

    public async Task<ProbeResult> ProbeAsync(DestinationState destination, CancellationToken cancel)
    {
        try
        {
            using var socket = await ProbeSocket.ConnectAsync(destination.Config.EndPoint, cancel);
            return ProbeResult.Pass("connected");
        }
        catch (Exception e)
        {
            return ProbeSocket.Failure(e, connected: false, cancel);
        }
    }
}
