using FastGate.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Proxy;

/// <summary>Kestrel hands every accepted connection here; each runs its own <see cref="ClientConnection"/> loop.</summary>
public sealed class GatewayConnectionHandler(SnapshotHolder snapshots, GatewayStats stats, ExchangeObservers observers) : ConnectionHandler
{
    private readonly ExchangeContextPool _contexts = new();
    private volatile bool _stopping;

    /// <summary>
    /// The gateway is stopping: from now on every exchange is its connection's last (<c>Connection: close</c>). Set
    /// before Kestrel stops listening, which tells the connections only after it has unbound.
    /// </summary>
    public void BeginStopping() => _stopping = true;

    internal bool Stopping => _stopping;

    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        // Kestrel calls us inside its connection logging scope, an AsyncLocal. Were it captured, every await of the
        // proxy loop would save and restore that context (measured at ~1.5 % of the CPU per request); nothing on
        // the proxy path reads it.
        if (ExecutionContext.IsFlowSuppressed()) return Run(connection);
        using (ExecutionContext.SuppressFlow())
        {
            return Run(connection);
        }
    }

    private Task Run(ConnectionContext connection)
    {
        var client = new ClientInfo(connection.RemoteEndPoint, isHttps: false, snapshots.Current.TrustedProxies);
        return new ClientConnection(connection, snapshots, client, stats, observers, _contexts, this).RunAsync();
    }
}
