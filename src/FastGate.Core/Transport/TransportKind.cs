namespace FastGate.Transport;

/// <summary>Which socket transport carries client and upstream connections (<c>[server] transport</c>).</summary>
public enum TransportKind
{
    /// <summary>FastGate's own event loops over epoll (Linux only).</summary>
    Epoll,

    /// <summary>Kestrel's Sockets transport and SocketConnectionContextFactory (.NET's socket engine).</summary>
    Sockets,
}

/// <summary>The transport chosen for this process.</summary>
public static class TransportSelection
{
    /// <summary>epoll on Linux, Kestrel's Sockets elsewhere.</summary>
    public static TransportKind PlatformDefault => OperatingSystem.IsLinux() ? TransportKind.Epoll : TransportKind.Sockets;

    /// <summary>What upstream connections use; the host sets it from the config before the first connection.</summary>
    public static TransportKind Current { get; set; } = PlatformDefault;
}
