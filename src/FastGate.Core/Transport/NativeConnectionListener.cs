using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>
/// A listening socket whose accepted connections are handed to a native transport (epoll or io_uring), which puts
/// each on one of its event loops. Accepting uses the listening <see cref="Socket"/>'s AcceptAsync; the accepted fd
/// is taken over before .NET ever does I/O on it.
/// </summary>
internal sealed class NativeConnectionListener : IConnectionListener
{
    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly Func<int, EndPoint?, EndPoint?, NativeConnection> _start;

    private NativeConnectionListener(Socket socket, Func<int, EndPoint?, EndPoint?, NativeConnection> start)
    {
        _socket = socket;
        _start = start;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    /// <summary>Listens on <paramref name="endPoint"/>; <paramref name="start"/> wraps an accepted non-blocking fd (with its endpoints) in a connection.</summary>
    public static NativeConnectionListener Bind(IPEndPoint endPoint, Func<int, EndPoint?, EndPoint?, NativeConnection> start)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel: [::] accepts IPv4 too.
            if (endPoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new NativeConnectionListener(socket, start);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return null; // unbound
            }
            catch (SocketException)
            {
                continue; // the client gave up before we accepted it
            }
            if (TryTakeOver(accepted) is { } connection) return connection;
        }
    }

    /// <summary>Moves the accepted socket's fd out of its <see cref="Socket"/> into a native connection.</summary>
    private NativeConnection? TryTakeOver(Socket accepted)
    {
        EndPoint? local, remote;
        try
        {
            accepted.NoDelay = true;
            local = accepted.LocalEndPoint;
            remote = accepted.RemoteEndPoint;
        }
        catch (SocketException)
        {
            accepted.Dispose(); // reset already
            return null;
        }
        var fd = (int)accepted.SafeHandle.DangerousGetHandle();
        // From here on the fd is ours alone: the Socket must neither close nor finalize it.
        accepted.SafeHandle.SetHandleAsInvalid();
        GC.SuppressFinalize(accepted);
        var flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
        {
            LibC.close(fd);
            return null;
        }
        try
        {
            return _start(fd, local, remote);
        }
        catch (Exception ex)
        {
            Telemetry.Logging.Log.Error($"cannot register an accepted connection: {ex.Message} (errno {Marshal.GetLastPInvokeError()})");
            LibC.close(fd);
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return default;
    }
}
