using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>
/// One io_uring instance: the submission and completion queues mapped into this process. Single issuer with
/// deferred task running, so it must be made, filled and entered by one thread, the loop's; completions are posted
/// only while that thread is inside <see cref="SubmitAndWait"/>.
/// </summary>
internal sealed unsafe class IoUringRing
{
    private readonly int _fd;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly SubmissionEntry* _sqes;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly CompletionEntry* _cqes;
    private uint _sqLocalTail;
    private uint _toSubmit;

    private IoUringRing(int fd, in IoUringParams p, byte* sqRing, byte* cqRing, SubmissionEntry* sqes)
    {
        _fd = fd;
        _sqHead = (uint*)(sqRing + p.SqHead);
        _sqTail = (uint*)(sqRing + p.SqTail);
        _sqMask = *(uint*)(sqRing + p.SqRingMask);
        _sqEntries = *(uint*)(sqRing + p.SqRingEntries);
        _sqes = sqes;
        _cqHead = (uint*)(cqRing + p.CqHead);
        _cqTail = (uint*)(cqRing + p.CqTail);
        _cqMask = *(uint*)(cqRing + p.CqRingMask);
        _cqes = (CompletionEntry*)(cqRing + p.CqCqes);
        _sqLocalTail = *_sqTail;
        // The kernel reads SQEs through the index array; an identity map lets the slots be used in ring order.
        var array = (uint*)(sqRing + p.SqArray);
        for (uint i = 0; i < _sqEntries; i++) array[i] = i;
    }

    public int Fd => _fd;

    /// <summary>Submission slots; an SQE's scratch space (see <see cref="SlotOf"/>) can be indexed by its slot.</summary>
    public uint SubmissionEntries => _sqEntries;

    /// <summary>
    /// Creates a ring on the calling thread, which becomes its only issuer. Returns null with the errno when the
    /// kernel refuses (too old, io_uring disabled by sysctl or seccomp, or the flags unknown).
    /// </summary>
    public static IoUringRing? TryCreate(uint entries, out int errno)
    {
        var p = new IoUringParams
        {
            Flags = IoUringSyscalls.SetupCqSize | IoUringSyscalls.SetupSubmitAll | IoUringSyscalls.SetupCoopTaskRun |
                    IoUringSyscalls.SetupSingleIssuer | IoUringSyscalls.SetupDeferTaskRun,
            CqEntries = entries * 4,
        };
        var fd = IoUringSyscalls.Setup(entries, &p);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        const uint needed = IoUringSyscalls.FeatureSingleMmap | IoUringSyscalls.FeatureNoDrop | IoUringSyscalls.FeatureSubmitStable;
        if ((p.Features & needed) != needed)
        {
            LibC.close(fd);
            errno = 95; // EOPNOTSUPP: a kernel older than 5.5
            return null;
        }
        var ringSize = Math.Max(p.SqArray + p.SqEntries * sizeof(uint), p.CqCqes + p.CqEntries * (uint)sizeof(CompletionEntry));
        var rings = (byte*)IoUringSyscalls.mmap(null, ringSize, IoUringSyscalls.ProtRead | IoUringSyscalls.ProtWrite,
            IoUringSyscalls.MapShared | IoUringSyscalls.MapPopulate, fd, IoUringSyscalls.OffsetSqRing);
        var sqes = (SubmissionEntry*)IoUringSyscalls.mmap(null, p.SqEntries * (uint)sizeof(SubmissionEntry),
            IoUringSyscalls.ProtRead | IoUringSyscalls.ProtWrite, IoUringSyscalls.MapShared | IoUringSyscalls.MapPopulate,
            fd, IoUringSyscalls.OffsetSqes);
        if (rings == (byte*)-1 || sqes == (SubmissionEntry*)-1)
        {
            errno = Marshal.GetLastPInvokeError();
            LibC.close(fd);
            return null;
        }
        errno = 0;
        return new IoUringRing(fd, p, rings, rings, sqes);
    }

    /// <summary>
    /// The next free SQE, zeroed; when every slot is taken, what is queued is submitted first. Loop thread only.
    /// </summary>
    public SubmissionEntry* NextEntry(out uint slot)
    {
        while (_sqLocalTail - Volatile.Read(ref *_sqHead) >= _sqEntries) Submit(wait: false);
        slot = _sqLocalTail & _sqMask;
        var sqe = _sqes + slot;
        *sqe = default;
        _sqLocalTail++;
        _toSubmit++;
        return sqe;
    }

    /// <summary>Submits what is queued and, when <paramref name="wait"/>, sleeps until at least one completion.</summary>
    public void Submit(bool wait)
    {
        Volatile.Write(ref *_sqTail, _sqLocalTail);
        while (true)
        {
            var n = IoUringSyscalls.Enter(_fd, _toSubmit, wait ? 1u : 0u, IoUringSyscalls.EnterGetEvents);
            if (n >= 0)
            {
                _toSubmit -= (uint)n;
                if (_toSubmit == 0 || !wait) return;
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR) continue;
            // EBUSY/EAGAIN: the completion queue is full; the caller reaps it and comes back.
            if (errno is 16 or LibC.EAGAIN) return;
            Environment.FailFast($"io_uring_enter failed: errno {errno}");
        }
    }

    /// <summary>The next completion, if any; the caller hands it back with <see cref="Advance"/>.</summary>
    public bool TryPeek(out CompletionEntry entry)
    {
        var head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            entry = default;
            return false;
        }
        entry = _cqes[head & _cqMask];
        return true;
    }

    public void Advance() => Volatile.Write(ref *_cqHead, *_cqHead + 1);

    /// <summary>The SQE slot of <paramref name="sqe"/>, to index scratch memory that must live until submission.</summary>
    public uint SlotOf(SubmissionEntry* sqe) => (uint)(sqe - _sqes);
}
