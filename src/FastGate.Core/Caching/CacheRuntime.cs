using System.Collections.Concurrent;
using FastGate.Routing;

namespace FastGate.Caching;

/// <summary>
/// The cache state that lives across config reloads: the L1 store and the fills under way. <see cref="Bind"/>
/// gives each route of a new config with a <c>cache</c> table its <see cref="RouteCache"/>, off the hot path; a
/// changed <c>cache.memory</c> resizes the store (evicting to fit), a changed eviction policy starts an empty one.
/// </summary>
public sealed class CacheRuntime
{
    private readonly Lock _lock = new();
    private volatile MemoryStore _store;

    public CacheRuntime(CacheOptions? options = null)
    {
        options ??= CacheOptions.Default;
        _store = new MemoryStore(options.MemoryBytes, options.Eviction);
    }

    public MemoryStore Store => _store;

    /// <summary>Fills by primary key hash: concurrent misses for a key wait on the one there.</summary>
    internal ConcurrentDictionary<ulong, FillSlot> Fills { get; } = new();

    /// <summary>Requests waiting for another's fill now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);
    internal int _waiting;

    public void Bind(CacheOptions options, IEnumerable<Route> routes)
    {
        lock (_lock)
        {
            if (options.Eviction != _store.Eviction) _store = new MemoryStore(options.MemoryBytes, options.Eviction);
            else if (options.MemoryBytes != _store.Budget) _store.Resize(options.MemoryBytes);
            foreach (var route in routes)
            {
                if (route.CacheOptions is { Enabled: true } cache) route.Cache = new RouteCache(route, cache, this, options.StatusHeaderBytes);
            }
        }
    }
}
