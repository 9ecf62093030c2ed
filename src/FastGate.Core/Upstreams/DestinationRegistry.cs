namespace FastGate.Upstreams;

/// <summary>
/// Every <see cref="DestinationState"/> the gateway holds, by <see cref="DestinationKey"/>: one per key, however
/// many clusters list it. A reload acquires the states its config uses and drains the rest; a draining state is
/// disposed (its idle connections closed) once no request uses it. Only reloads and the drain sweep come here,
/// never the hot path.
/// </summary>
public sealed class DestinationRegistry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DestinationKey, DestinationState> _states = [];
    private readonly List<DestinationState> _draining = [];

    /// <summary>States held, draining ones included.</summary>
    public int Count
    {
        get { lock (_lock) return _states.Count; }
    }

    public int DrainingCount
    {
        get { lock (_lock) return _draining.Count; }
    }

    public bool TryGet(DestinationKey key, out DestinationState state)
    {
        lock (_lock) return _states.TryGetValue(key, out state!);
    }

    /// <summary>
    /// The state for this destination and pool settings: the one already held (revived if it was draining and is
    /// not disposed yet) or a new one. <paramref name="added"/> tells whether it was not in use before.
    /// </summary>
    public DestinationState Acquire(Destination config, ClusterOptions options, out bool added)
    {
        var key = DestinationKey.For(config, options);
        lock (_lock)
        {
            if (_states.TryGetValue(key, out var state))
            {
                added = state.Retired;
                if (added) _draining.Remove(state);
                state.Use(config);
                return state;
            }
            state = new DestinationState(config, options);
            _states.Add(key, state);
            added = true;
            return state;
        }
    }

    /// <summary>Starts draining every state not in <paramref name="inUse"/>; returns how many started.</summary>
    public int DrainAllExcept(IReadOnlySet<DestinationState> inUse)
    {
        var started = 0;
        lock (_lock)
        {
            foreach (var state in _states.Values)
            {
                if (state.Retired || inUse.Contains(state)) continue;
                state.Retire();
                _draining.Add(state);
                started++;
            }
        }
        return started;
    }

    /// <summary>Disposes and forgets the draining states nothing uses any more; returns how many.</summary>
    public int DisposeDrained()
    {
        var disposed = 0;
        lock (_lock)
        {
            for (var i = _draining.Count - 1; i >= 0; i--)
            {
                var state = _draining[i];
                if (!state.IsDrained) continue;
                _draining.RemoveAt(i);
                _states.Remove(state.Key);
                state.Pool.Dispose();
                disposed++;
            }
        }
        return disposed;
    }

    /// <summary>Closes every pool, in use or not: the gateway is stopping.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var state in _states.Values) state.Pool.Dispose();
            _states.Clear();
            _draining.Clear();
        }
    }
}
