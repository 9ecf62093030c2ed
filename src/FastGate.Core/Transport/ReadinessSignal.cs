using System.Threading.Tasks.Sources;

namespace FastGate.Transport;

/// <summary>
/// One edge-triggered readiness condition (readable or writable) of a socket, awaited by one consumer at a time.
/// An edge that arrives while nobody waits is remembered, so no edge is lost between a failed syscall and the wait.
/// </summary>
/// <remarks>
/// The loop thread is the only producer (<see cref="Set"/>); continuations run inline on it. Waiting allocates nothing.
/// </remarks>
internal sealed class ReadinessSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Ready = 2;

    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously = false: resume inline
    private int _state;

    /// <summary>Completes at once when an edge came since the last wait, else at the next edge.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready) return default;
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle) return new ValueTask(this, _core.Version);
        // An edge arrived in between.
        Volatile.Write(ref _state, Idle);
        return default;
    }

    /// <summary>Records an edge and wakes the waiter, if any, on this thread.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Ready) != Waiting) return;
        Volatile.Write(ref _state, Idle);
        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
