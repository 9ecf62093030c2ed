using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace FastGate.Transport.IoUring;

/// <summary>
/// One thread that owns an io_uring: it queues its connections' receives and sends as submissions, and enters the
/// kernel once per turn to submit them all and wait for completions, which it hands to the connections. Other
/// threads hand it work through <see cref="Post"/> (a queue plus an eventfd whose read is itself a submission).
/// </summary>
/// <remarks>
/// A completion's user data is the connection's token (see <see cref="ConnectionSlots{T}"/>) with the operation in
/// bits 24–31. A connection is removed only once none of its operations is in flight, so no completion outlives it.
/// </remarks>
internal sealed unsafe class UringLoop
{
    private const uint Entries = 1024;
    private const int BufferRingEntries = 256;
    private const ulong WakeData = ulong.MaxValue;
    /// <summary>Room for one sendmsg's header and iovecs per submission slot, valid until the kernel has taken the SQE.</summary>
    private const int ScratchPerSlot = 64 + RingWriter.MaxGather * 16;

    [ThreadStatic] private static UringLoop? t_current;

    private static readonly Lazy<LoopGroup<UringLoop>> LazyGroup =
        new(() => new LoopGroup<UringLoop>(i => Start($"fastgate-uring-{i}"), LoopGroup<UringLoop>.DefaultCount()));

    private readonly ConnectionSlots<UringConnection> _connections = new();
    private readonly ConcurrentQueue<ILoopWork> _work = new();
    private readonly int _wakeFd;
    private readonly ulong* _wakeValue;
    private IoUringRing _ring = null!;
    private ProvidedBufferRing _buffers = null!;
    private byte* _scratch;
    private int _wakeRequested;

    private UringLoop(int wakeFd)
    {
        _wakeFd = wakeFd;
        _wakeValue = (ulong*)NativeMemory.Alloc(sizeof(ulong));
    }

    /// <summary>The loop whose thread is running the caller, if any.</summary>
    public static UringLoop? Current => t_current;

    /// <summary>The process's io_uring loops, started on first use (see <see cref="IoUringSupport"/> for the check first).</summary>
    public static LoopGroup<UringLoop> Group => LazyGroup.Value;

    /// <summary>
    /// Starts a loop whose thread makes its own ring (a single-issuer ring belongs to the thread that made it).
    /// Throws <see cref="IoUringUnavailableException"/> with the errno when the kernel refuses.
    /// </summary>
    public static UringLoop Start(string name)
    {
        var wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (wakeFd < 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
        var loop = new UringLoop(wakeFd);
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => loop.Run(started)) { IsBackground = true, Name = name }.UnsafeStart();
        var errno = started.Task.GetAwaiter().GetResult();
        if (errno != 0) throw new IoUringUnavailableException(errno);
        return loop;
    }

    public ProvidedBufferRing Buffers => _buffers;

    public void Register(UringConnection connection) => _connections.Add(connection);

    public void Unregister(UringConnection connection) => _connections.Remove(connection);

    /// <summary>Runs <paramref name="work"/> on the loop thread soon.</summary>
    public void Post(ILoopWork work)
    {
        _work.Enqueue(work);
        if (Interlocked.Exchange(ref _wakeRequested, 1) != 0) return;
        ulong one = 1;
        LibC.write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>A zeroed submission for <paramref name="connection"/>'s <paramref name="operation"/>; loop thread only.</summary>
    public SubmissionEntry* Submission(UringConnection connection, RingOperation operation, out byte* scratch)
    {
        var sqe = _ring.NextEntry(out var slot);
        sqe->UserData = connection.Token | (ulong)operation << 24;
        scratch = _scratch + slot * ScratchPerSlot;
        return sqe;
    }

    /// <summary>Cancels the operation of <paramref name="connection"/> whose user data is <paramref name="target"/>; its own completion is ignored.</summary>
    public void Cancel(UringConnection connection, RingOperation target)
    {
        var sqe = Submission(connection, RingOperation.Cancel, out _);
        sqe->Opcode = IoUringSyscalls.OpAsyncCancel;
        sqe->Fd = -1;
        sqe->Address = connection.Token | (ulong)target << 24;
        sqe->Flags = IoUringSyscalls.SqeCqeSkipSuccess;
    }

    private void Run(TaskCompletionSource<int> started)
    {
        t_current = this;
        // As on the epoll loops: continuations resumed here capture no ExecutionContext.
        ExecutionContext.SuppressFlow();
        var ring = IoUringRing.TryCreate(Entries, out var errno);
        var buffers = ring is null ? null : ProvidedBufferRing.TryRegister(ring, BufferRingEntries, out errno);
        if (ring is null || buffers is null)
        {
            started.SetResult(errno);
            return;
        }
        _ring = ring;
        _buffers = buffers;
        _scratch = (byte*)NativeMemory.AllocZeroed(ring.SubmissionEntries * ScratchPerSlot);
        ArmWake();
        started.SetResult(0);
        while (true)
        {
            _ring.Submit(wait: true);
            var woken = false;
            while (_ring.TryPeek(out var completion))
            {
                _ring.Advance();
                if (completion.UserData == WakeData) woken = true;
                else Dispatch(completion);
            }
            _buffers.Commit();
            if (woken)
            {
                ArmWake();
                RunPostedWork();
            }
        }
    }

    private void Dispatch(in CompletionEntry completion)
    {
        var operation = (RingOperation)(byte)(completion.UserData >> 24);
        if (operation == RingOperation.Cancel || _connections.Find(completion.UserData) is not { } connection) return;
        try
        {
            connection.OnCompletion(operation, completion.Result, completion.Flags);
        }
        catch (Exception ex)
        {
            // The connection's own loops catch their errors; anything here is a bug, but must not stop the loop.
            Telemetry.Logging.Log.Error($"io_uring loop: {ex}");
        }
    }

    private void ArmWake()
    {
        var sqe = _ring.NextEntry(out _);
        sqe->Opcode = IoUringSyscalls.OpRead;
        sqe->Fd = _wakeFd;
        sqe->Address = (ulong)_wakeValue;
        sqe->Length = sizeof(ulong);
        sqe->UserData = WakeData;
    }

    private void RunPostedWork()
    {
        // The read consumed the wake-up; allow the next one before draining (see EventLoop.RunPostedWork).
        Interlocked.Exchange(ref _wakeRequested, 0);
        while (_work.TryDequeue(out var work))
        {
            try
            {
                work.Execute();
            }
            catch (Exception ex)
            {
                Telemetry.Logging.Log.Error($"io_uring loop: {ex}");
            }
        }
    }
}
