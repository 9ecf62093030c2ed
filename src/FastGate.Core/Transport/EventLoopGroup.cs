namespace FastGate.Transport;

/// <summary>
/// The process's event loops (one per processor by default). Accepted connections are spread round-robin; a
/// connection opened from a loop thread stays on that loop, so a client and its upstream share one thread.
/// </summary>
internal sealed class EventLoopGroup
{
    private static readonly Lazy<EventLoopGroup> LazyShared = new(() => new EventLoopGroup(LoopCount()));

    private readonly EventLoop[] _loops;
    private int _next = -1;

    public EventLoopGroup(int count)
    {
        _loops = new EventLoop[Math.Max(1, count)];
        for (var i = 0; i < _loops.Length; i++) _loops[i] = new EventLoop($"fastgate-epoll-{i}");
    }

    public static EventLoopGroup Shared => LazyShared.Value;

    public int Count => _loops.Length;

    /// <summary>The next loop in turn, for a newly accepted connection.</summary>
    public EventLoop Next() => _loops[(uint)Interlocked.Increment(ref _next) % (uint)_loops.Length];

    /// <summary>The caller's own loop when it runs on one, else the next in turn.</summary>
    public EventLoop CurrentOrNext() => EventLoop.Current is { } current && Array.IndexOf(_loops, current) >= 0 ? current : Next();

    /// <summary>FASTGATE_EPOLL_LOOPS when set to a positive number, else one loop per processor.</summary>
    private static int LoopCount()
        => int.TryParse(Environment.GetEnvironmentVariable("FASTGATE_EPOLL_LOOPS"), out var n) && n > 0 ? n : Environment.ProcessorCount;
}
