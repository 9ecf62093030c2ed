namespace FastGate.Transport;

/// <summary>The transport chosen for this process.</summary>
public static class TransportSelection
{
    /// <summary>epoll on Linux, Kestrel's Sockets elsewhere.</summary>
    public static TransportKind PlatformDefault => OperatingSystem.IsLinux() ? TransportKind.Epoll : TransportKind.Sockets;

    /// <summary>What upstream connections use; the host sets it from the config before the first connection.</summary>
    public static TransportKind Current { get; set; } = PlatformDefault;

    /// <summary>The name of <paramref name="kind"/> as config.toml spells it.</summary>
    public static string Name(TransportKind kind) => kind switch
    {
        TransportKind.Epoll => "epoll",
        TransportKind.IoUring => "io_uring",
        _ => "sockets",
    };

    /// <summary>
    /// <paramref name="wanted"/>, unless it is io_uring and the kernel refuses it (too old, disabled by sysctl or
    /// seccomp): then epoll, with <paramref name="fallbackReason"/> saying why.
    /// </summary>
    public static TransportKind Resolve(TransportKind wanted, out string? fallbackReason)
    {
        fallbackReason = null;
        if (wanted != TransportKind.IoUring) return wanted;
        try
        {
            _ = IoUring.UringLoop.Group;
            return wanted;
        }
        catch (IoUring.IoUringUnavailableException ex)
        {
            fallbackReason = ex.Message;
            return TransportKind.Epoll;
        }
    }
}
