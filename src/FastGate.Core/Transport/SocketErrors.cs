using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>
/// Turns an errno from a socket call into the exception Kestrel's own transport would raise: a reset or broken pipe
/// becomes <see cref="ConnectionResetException"/>, anything else an <see cref="IOException"/> around a
/// <see cref="SocketException"/>.
/// </summary>
internal static class SocketErrors
{
    private const int EPIPE = 32;
    private const int ENETUNREACH = 101;
    private const int ENETRESET = 102;
    private const int ECONNABORTED = 103;
    private const int ECONNRESET = 104;
    private const int ENOTCONN = 107;
    private const int ETIMEDOUT = 110;
    private const int ECONNREFUSED = 111;
    private const int EHOSTUNREACH = 113;

    public static SocketError ToSocketError(int errno) => errno switch
    {
        ECONNRESET or ENETRESET => SocketError.ConnectionReset,
        ECONNABORTED => SocketError.ConnectionAborted,
        EPIPE => SocketError.Shutdown,
        ENOTCONN => SocketError.NotConnected,
        ETIMEDOUT => SocketError.TimedOut,
        ECONNREFUSED => SocketError.ConnectionRefused,
        EHOSTUNREACH => SocketError.HostUnreachable,
        ENETUNREACH => SocketError.NetworkUnreachable,
        _ => SocketError.SocketError,
    };

    public static bool IsReset(int errno) => errno is ECONNRESET or ENETRESET or ECONNABORTED or EPIPE;

    /// <summary>The exception for a failed recv/send on an established connection.</summary>
    public static Exception ForTransfer(int errno)
    {
        var socketError = new SocketException((int)ToSocketError(errno));
        return IsReset(errno)
            ? new ConnectionResetException(socketError.Message, socketError)
            : new IOException(socketError.Message, socketError);
    }

    /// <summary>The exception for a failed connect.</summary>
    public static SocketException ForConnect(int errno) => new((int)ToSocketError(errno));
}
