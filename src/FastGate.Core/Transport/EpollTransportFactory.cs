using System.Net;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>Kestrel's transport hook: binds <see cref="EpollConnectionListener"/>s on the shared event loops.</summary>
public sealed class EpollTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip) throw new NotSupportedException($"the epoll transport listens on IP endpoints only, not {endpoint}");
        return new ValueTask<IConnectionListener>(EpollConnectionListener.Bind(ip, EventLoopGroup.Shared));
    }

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;
}
