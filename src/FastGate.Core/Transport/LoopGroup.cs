namespace FastGate.Transport;

/// <summary>
/// A transport's event loops (one per processor by default). Accepted connections are spread round-robin; a
/// connection opened from a loop thread stays on that loop, so a client and its upstream share one thread.
/// </summary>
internal sealed class LoopGroup<TLoop> where TLoop : class
{
    private readonly TLoop[] _loops;
    private int _next = -1;

    public LoopGroup(Func<int, TLoop> create, int count)
    {
        _loops = new TLoop[Math.Max(1, count)];
        for (var i = 0; i < _loops.Length; i++) _loops[i] = create(i);
    }

    public int Count => _loops.Length;

    /// <summary>The next loop in turn, for a newly accepted connection.</summary>
    public TLoop Next() => _loops[(uint)Interlocked.Increment(ref _next) % (uint)_loops.Length];

    /// <summary><paramref name="current"/> (the caller's own loop) when it is one of these, else the next in turn.</summary>
    public TLoop CurrentOrNext(TLoop? current) => current is not null && Array.IndexOf(_loops, current) >= 0 ? current : Next();

    /// <summary>FASTGATE_EPOLL_LOOPS when set to a positive number (it counts io_uring loops too), else one loop per processor.</summary>
    public static int DefaultCount()
        => int.TryParse(Environment.GetEnvironmentVariable("FASTGATE_EPOLL_LOOPS"), out var n) && n > 0 ? n : Environment.ProcessorCount;
}
