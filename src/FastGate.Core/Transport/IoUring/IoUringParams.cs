using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>struct io_uring_params, with its struct io_sqring_offsets and io_cqring_offsets flattened in (120 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringParams
{
    public uint SqEntries;
    public uint CqEntries;
    public uint Flags;
    public uint SqThreadCpu;
    public uint SqThreadIdle;
    public uint Features;
    public uint WqFd;
    public uint Reserved0, Reserved1, Reserved2;

    public uint SqHead, SqTail, SqRingMask, SqRingEntries, SqFlags, SqDropped, SqArray, SqReserved;
    public ulong SqUserAddress;

    public uint CqHead, CqTail, CqRingMask, CqRingEntries, CqOverflow, CqCqes, CqFlags, CqReserved;
    public ulong CqUserAddress;
}
