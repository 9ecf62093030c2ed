using System.Net;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>Kestrel's transport hook: binds listeners whose connections run on the shared epoll loops.</summary>
public sealed class EpollTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip) throw new NotSupportedException($"the epoll transport listens on IP endpoints only, not {endpoint}");
        return new ValueTask<IConnectionListener>(NativeConnectionListener.Bind(ip,
            static (fd, local, remote) => EpollConnection.Start(EventLoop.Group.Next(), fd, local, remote)));
    }

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;
}
