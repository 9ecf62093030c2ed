namespace FastGate.Transport;

/// <summary>Which socket transport carries client and upstream connections (<c>[server] transport</c>).</summary>
public enum TransportKind
{
    /// <summary>FastGate's own event loops over epoll (Linux only).</summary>
    Epoll,

    /// <summary>FastGate's own event loops over io_uring (Linux 6.1 and later); epoll where the kernel refuses it.</summary>
    IoUring,

    /// <summary>Kestrel's Sockets transport and SocketConnectionContextFactory (.NET's socket engine).</summary>
    Sockets,
}
