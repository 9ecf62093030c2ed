namespace FastGate.Transport;

/// <summary>
/// One edge-triggered readiness condition of a socket that calls back instead of being awaited: armed by whoever
/// waits for it (any thread), fired by the loop thread. An edge that arrives while it is not armed is remembered, so
/// no edge is lost between a read that found nothing and the arming.
/// </summary>
/// <remarks>
/// Unlike an awaited signal it needs no continuation state per wait, so a connection that waits costs no async box.
/// A call can come for an arming already given up (its wait ended another way): the callback then returns false,
/// and the edge is remembered for the next arming.
/// </remarks>
internal sealed class ReadinessCallback(Func<object, bool> callback, object target)
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Ready = 2;

    private int _state;

    /// <summary>
    /// Arms the callback for the next edge; false, with nothing armed, when an edge came since the last arming or
    /// <see cref="TakeReady"/> (the caller should look again at once).
    /// </summary>
    public bool Arm()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Ready)
            {
                if (Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready) return false;
                continue;
            }
            if (state == Armed || Interlocked.CompareExchange(ref _state, Armed, Idle) == Idle) return true;
        }
    }

    /// <summary>Whether an edge came since the last arming, forgetting it.</summary>
    public bool TakeReady() => Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready;

    /// <summary>Records an edge; calls back, on this thread, when armed.</summary>
    public void Set()
    {
        // Most edges carry EPOLLOUT for a socket nobody waits to write on: an edge already remembered costs no atomic.
        if (Volatile.Read(ref _state) == Ready) return;
        if (Interlocked.Exchange(ref _state, Ready) != Armed) return;
        if (Interlocked.CompareExchange(ref _state, Idle, Ready) != Ready) return; // an arming took the edge itself
        if (!callback(target)) Interlocked.CompareExchange(ref _state, Ready, Idle);
    }
}
