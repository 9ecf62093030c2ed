using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>struct io_uring_cqe (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CompletionEntry
{
    public ulong UserData;
    /// <summary>Bytes transferred, or minus an errno.</summary>
    public int Result;
    public uint Flags;
}
