using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastGate.Transport;

/// <summary>The socket calls both native transports make to open an upstream connection.</summary>
internal static class NativeSocket
{
    /// <summary>A non-blocking, close-on-exec TCP socket with Nagle off.</summary>
    public static int Open(AddressFamily family)
    {
        var domain = family == AddressFamily.InterNetworkV6 ? LibC.AF_INET6 : LibC.AF_INET;
        var fd = LibC.socket(domain, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, LibC.IPPROTO_TCP);
        if (fd < 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
        unsafe
        {
            var one = 1;
            LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, (byte*)&one, sizeof(int));
        }
        return fd;
    }

    /// <summary>Returns true while the connect is in progress, false when it completed at once; throws on failure.</summary>
    public static unsafe bool StartConnect(int fd, IPEndPoint remote)
    {
        var address = stackalloc byte[NativeSocketAddress.MaxSize];
        var length = NativeSocketAddress.Write(remote, new Span<byte>(address, NativeSocketAddress.MaxSize));
        while (true)
        {
            if (LibC.connect(fd, address, length) == 0) return false;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINPROGRESS) return true;
            if (errno != LibC.EINTR) throw SocketErrors.ForConnect(errno);
        }
    }

    /// <summary>SO_ERROR: how a finished non-blocking connect ended (0 when connected).</summary>
    public static unsafe int PendingError(int fd)
    {
        int error = 0, size = sizeof(int);
        return LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, (byte*)&error, &size) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    /// <summary>SO_LINGER 0: the close becomes a reset.</summary>
    public static unsafe void SetResetOnClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 }; // struct linger { l_onoff = 1, l_linger = 0 }
        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_LINGER, (byte*)linger, 2 * sizeof(int));
    }
}
