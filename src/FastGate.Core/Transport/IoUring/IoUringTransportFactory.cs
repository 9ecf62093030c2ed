using System.Net;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport.IoUring;

/// <summary>Kestrel's transport hook: binds listeners whose connections run on the shared io_uring loops.</summary>
public sealed class IoUringTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip) throw new NotSupportedException($"the io_uring transport listens on IP endpoints only, not {endpoint}");
        return new ValueTask<IConnectionListener>(NativeConnectionListener.Bind(ip,
            static (fd, local, remote) => UringConnection.Start(UringLoop.Group.Next(), fd, local, remote)));
    }

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;
}
