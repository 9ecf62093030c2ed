using System.Net;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Tests.Transport;

/// <summary>The transport tests on the epoll transport.</summary>
public sealed class EpollConnectionTests : NativeConnectionTests
{
    private protected override IConnectionListenerFactory Factory { get; } = new EpollTransportFactory();

    private protected override async Task<ConnectionContext> ConnectAsync(IPEndPoint remote, TimeSpan timeout) =>
        await EpollConnection.ConnectAsync(remote, timeout);

    private protected override object LoopOf(ConnectionContext connection) => ((EpollConnection)connection).Loop;

    private protected override object? CurrentLoop => EventLoop.Current;
}
