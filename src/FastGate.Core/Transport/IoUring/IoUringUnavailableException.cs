namespace FastGate.Transport.IoUring;

/// <summary>The kernel refused to set up io_uring (too old, disabled by sysctl, or blocked by seccomp).</summary>
internal sealed class IoUringUnavailableException(int errno)
    : Exception($"io_uring is unavailable: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;
}
