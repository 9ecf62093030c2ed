using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastGate.Transport;

/// <summary>
/// One thread blocked in epoll_wait on its own epoll instance, dispatching readiness edges to its connections.
/// Other threads hand it work through <see cref="Post"/> (a queue plus an eventfd that wakes the wait).
/// </summary>
/// <remarks>Each registration's token (see <see cref="ConnectionSlots{T}"/>) is the epoll data.</remarks>
internal sealed unsafe class EventLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = ulong.MaxValue;

    [ThreadStatic] private static EventLoop? t_current;

    private static readonly Lazy<LoopGroup<EventLoop>> LazyGroup =
        new(() => new LoopGroup<EventLoop>(i => new EventLoop($"fastgate-epoll-{i}"), LoopGroup<EventLoop>.DefaultCount()));

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly ConcurrentQueue<ILoopWork> _work = new();
    private readonly ConnectionSlots<EpollConnection> _connections = new();
    private int _wakeRequested;

    public EventLoop(string name)
    {
        _epoll = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
        _wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_wakeFd < 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
        Control(LibC.EPOLL_CTL_ADD, _wakeFd, LibC.EPOLLIN, WakeToken);
        // UnsafeStart: the loop must not run in the execution context of whoever created it first.
        new Thread(Run) { IsBackground = true, Name = name }.UnsafeStart();
    }

    /// <summary>The loop whose thread is running the caller, if any.</summary>
    public static EventLoop? Current => t_current;

    /// <summary>The process's epoll loops, started on first use.</summary>
    public static LoopGroup<EventLoop> Group => LazyGroup.Value;

    /// <summary>Adds a non-blocking socket, edge-triggered for input, output and peer shutdown, for good.</summary>
    public void Register(EpollConnection connection, int fd)
    {
        _connections.Add(connection);
        try
        {
            Control(LibC.EPOLL_CTL_ADD, fd, LibC.EPOLLIN | LibC.EPOLLOUT | LibC.EPOLLRDHUP | LibC.EPOLLET, connection.Token);
        }
        catch
        {
            Unregister(connection, fd: -1);
            throw;
        }
    }

    /// <summary>Stops dispatching to the connection; removes its fd from the epoll set when <paramref name="fd"/> is open.</summary>
    public void Unregister(EpollConnection connection, int fd)
    {
        if (fd >= 0) LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_DEL, fd, null);
        _connections.Remove(connection);
    }

    /// <summary>Runs <paramref name="work"/> on the loop thread soon.</summary>
    public void Post(ILoopWork work)
    {
        _work.Enqueue(work);
        if (Interlocked.Exchange(ref _wakeRequested, 1) != 0) return;
        ulong one = 1;
        LibC.write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    private void Control(int op, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + LibC.EpollEventDataOffset, data);
        if (LibC.epoll_ctl(_epoll, op, fd, ev) != 0) throw SocketErrors.ForConnect(Marshal.GetLastPInvokeError());
    }

    private void Run()
    {
        t_current = this;
        // For good on this thread: an async method suspended here captures no ExecutionContext, so its continuation
        // resumes with a plain MoveNext instead of running inside the (default) context.
        ExecutionContext.SuppressFlow();
        var size = LibC.EpollEventSize;
        var offset = LibC.EpollEventDataOffset;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        while (true)
        {
            var count = LibC.epoll_wait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) continue;
                Environment.FailFast($"epoll_wait failed: errno {errno}");
            }
            var woken = false;
            for (var i = 0; i < count; i++)
            {
                var entry = events + i * size;
                var data = Unsafe.ReadUnaligned<ulong>(entry + offset);
                if (data == WakeToken) woken = true;
                else Dispatch(data, Unsafe.ReadUnaligned<uint>(entry));
            }
            if (woken) RunPostedWork();
        }
    }

    private void Dispatch(ulong token, uint events)
    {
        if (_connections.Find(token) is not { } connection) return;
        try
        {
            connection.OnEvents(events);
        }
        catch (Exception ex)
        {
            // The connection's own loops catch their errors; anything here is a bug, but must not stop the loop.
            Telemetry.Logging.Log.Error($"event loop: {ex}");
        }
    }

    private void RunPostedWork()
    {
        // Consume the wake-up first, then allow the next one, then drain. In the other order a Post landing between
        // the flag reset and the read had its eventfd write swallowed while the flag stayed set: every later Post
        // then skipped its write and waited for an unrelated event (a connect timeout that fired after 2 minutes).
        ulong value;
        LibC.read(_wakeFd, (byte*)&value, sizeof(ulong));
        Interlocked.Exchange(ref _wakeRequested, 0); // a full fence: the queue is read only after the flag is clear
        while (_work.TryDequeue(out var work))
        {
            try
            {
                work.Execute();
            }
            catch (Exception ex)
            {
                Telemetry.Logging.Log.Error($"event loop: {ex}");
            }
        }
    }
}
