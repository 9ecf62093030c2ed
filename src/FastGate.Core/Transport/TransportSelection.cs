namespace FastGate.Transport;

/// <summary>The transport chosen for this process.</summary>
public static class TransportSelection
{
    /// <summary>epoll on Linux, Kestrel's Sockets elsewhere.</summary>
    public static TransportKind PlatformDefault => OperatingSystem.IsLinux() ? TransportKind.Epoll : TransportKind.Sockets;

    /// <summary>What upstream connections use; the host sets it from the config before the first connection.</summary>
    public static TransportKind Current { get; set; } = PlatformDefault;
}
