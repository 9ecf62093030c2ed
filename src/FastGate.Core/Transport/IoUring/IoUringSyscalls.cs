using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>
/// The three io_uring system calls, through libc's <c>syscall</c> (glibc has no wrappers), and the constants of
/// &lt;linux/io_uring.h&gt; this transport uses. The numbers are the same on x86-64 and arm64.
/// </summary>
internal static unsafe partial class IoUringSyscalls
{
    private const long SysSetup = 425;
    private const long SysEnter = 426;
    private const long SysRegister = 427;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallSetup(long number, uint entries, IoUringParams* parameters);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallEnter(long number, int fd, uint toSubmit, uint minComplete, uint flags, nint signalMask, nint signalMaskSize);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallRegister(long number, int fd, uint opcode, void* argument, uint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(void* address, nuint length);

    public static int Setup(uint entries, IoUringParams* parameters) => (int)SyscallSetup(SysSetup, entries, parameters);

    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags) =>
        (int)SyscallEnter(SysEnter, fd, toSubmit, minComplete, flags, 0, 0);

    public static int Register(int fd, uint opcode, void* argument, uint count) =>
        (int)SyscallRegister(SysRegister, fd, opcode, argument, count);

    // io_uring_setup flags
    public const uint SetupCqSize = 1u << 3;
    public const uint SetupSubmitAll = 1u << 7;
    public const uint SetupCoopTaskRun = 1u << 8;
    public const uint SetupSingleIssuer = 1u << 12;
    public const uint SetupDeferTaskRun = 1u << 13;

    // io_uring_params.features
    public const uint FeatureSingleMmap = 1u << 0;
    public const uint FeatureNoDrop = 1u << 1;
    public const uint FeatureSubmitStable = 1u << 2;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0;

    // io_uring_register opcodes
    public const uint RegisterProvidedBufferRing = 22;

    // mmap offsets
    public const long OffsetSqRing = 0;
    public const long OffsetCqRing = 0x8000000;
    public const long OffsetSqes = 0x10000000;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 0x01;
    public const int MapPopulate = 0x8000;

    // opcodes
    public const byte OpPollAdd = 6;
    public const byte OpSendMsg = 9;
    public const byte OpAsyncCancel = 14;
    public const byte OpRead = 22;
    public const byte OpSend = 26;
    public const byte OpRecv = 27;

    // sqe flags
    public const byte SqeBufferSelect = 1 << 5;
    public const byte SqeCqeSkipSuccess = 1 << 6;

    // sqe ioprio for recv
    public const ushort RecvMultishot = 1 << 1;

    // cqe flags
    public const uint CqeBuffer = 1u << 0;
    public const uint CqeMore = 1u << 1;
    public const int CqeBufferShift = 16;

    public const uint PollOut = 0x004;

    public const int ENOBUFS = 105;
    public const int ECANCELED = 125;
    public const int ENOENT = 2;
}
