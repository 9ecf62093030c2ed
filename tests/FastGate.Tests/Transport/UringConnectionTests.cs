using System.Net;
using FastGate.Transport.IoUring;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Tests.Transport;

/// <summary>The transport tests on the io_uring transport (the test machines' kernels have it: it must not fall back).</summary>
public sealed class UringConnectionTests : NativeConnectionTests
{
    private protected override IConnectionListenerFactory Factory { get; } = new IoUringTransportFactory();

    private protected override async Task<ConnectionContext> ConnectAsync(IPEndPoint remote, TimeSpan timeout) =>
        await UringConnection.ConnectAsync(remote, timeout);

    private protected override object LoopOf(ConnectionContext connection) => ((UringConnection)connection).Loop;

    private protected override object? CurrentLoop => UringLoop.Current;
}
