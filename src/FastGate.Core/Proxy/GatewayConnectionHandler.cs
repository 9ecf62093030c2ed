using Microsoft.AspNetCore.Connections;

namespace FastGate.Proxy;

/// <summary>Kestrel hands every accepted connection here; each runs its own <see cref="ClientConnection"/> loop.</summary>
public sealed class GatewayConnectionHandler(SnapshotHolder snapshots) : ConnectionHandler
{
    private int _active;

    /// <summary>Client connections currently open.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var client = new ClientInfo(connection.RemoteEndPoint, isHttps: false, snapshots.Current.TrustedProxies);
        var session = new ClientConnection(connection, snapshots, client);
        Interlocked.Increment(ref _active);
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
