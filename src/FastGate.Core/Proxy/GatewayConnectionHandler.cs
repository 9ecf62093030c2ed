using FastGate.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Proxy;

/// <summary>Kestrel hands every accepted connection here; each runs its own <see cref="ClientConnection"/> loop.</summary>
public sealed class GatewayConnectionHandler(SnapshotHolder snapshots, GatewayStats stats) : ConnectionHandler
{
    private readonly ExchangeStatePool _states = new();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var client = new ClientInfo(connection.RemoteEndPoint, isHttps: false, snapshots.Current.TrustedProxies);
        var session = new ClientConnection(connection, snapshots, client, stats, _states);
        stats.OnConnectionOpened();
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            stats.OnConnectionClosed();
        }
    }
}
