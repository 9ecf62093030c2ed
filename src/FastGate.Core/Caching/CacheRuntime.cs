using System.Collections.Concurrent;
using FastGate.Routing;

namespace FastGate.Caching;

/// <summary>
/// The cache state that lives across config reloads: the L1 store, the L2 tier when <c>redis</c> is set, and the
/// fills under way. <see cref="Bind"/> gives each route of a new config with a <c>cache</c> table its
/// <see cref="RouteCache"/>, off the hot path; a changed <c>cache.memory</c> resizes the store (evicting to fit), a
/// changed eviction policy starts an empty one, a changed <c>redis</c>, <c>namespace</c>, <c>redis_timeout</c> or
/// breaker setting a new connection (the old one is closed).
/// </summary>
public sealed class CacheRuntime
{
    private readonly Lock _lock = new();
    private volatile MemoryStore _store;
    private volatile RedisTier? _l2;
    private volatile ICacheStore _tiers;
    private CacheOptions _options;
    private volatile Dictionary<string, RouteCache> _routes = [];

    public CacheRuntime(CacheOptions? options = null)
    {
        _options = options ??= CacheOptions.Default;
        _store = new MemoryStore(options.MemoryBytes, options.Eviction);
        _l2 = options.Redis.Length > 0 ? new RedisTier(options, Purged) : null;
        _tiers = NewTiers();
    }

    public MemoryStore Store => _store;

    /// <summary>L2, when <c>cache.redis</c> is set.</summary>
    public RedisTier? L2 => _l2;

    /// <summary>What the routes look entries up in and store them to: L1, or L1 in front of L2.</summary>
    internal ICacheStore Tiers => _tiers;

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
            if (!options.SameL2(_options))
            {
                var old = _l2;
                _l2 = options.Redis.Length > 0 ? new RedisTier(options, Purged) : null;
                if (old is not null) _ = old.DisposeAsync().AsTask();
            }
            _options = options;
            _tiers = NewTiers();
            var bound = new Dictionary<string, RouteCache>();
            foreach (var route in routes)
            {
                if (route.CacheOptions is not { Enabled: true } cache) continue;
                var routeCache = new RouteCache(route, cache, this, options.StatusHeaderBytes);
                route.Cache = routeCache;
                bound[route.Name] = routeCache;
            }
            _routes = bound;
        }
    }

    /// <summary>
    /// Purges L2 first (so no instance refills its L1 from there), then this L1, then tells the other instances
    /// sharing the Redis, which purge their L1.
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(PurgeRequest request)
    {
        var filter = new PurgeFilter(request, _routes);
        var l2 = _l2;
        long? fromL2 = l2 is null ? null : await l2.DeleteAsync(filter).ConfigureAwait(false);
        var removed = _store.Purge(filter);
        var published = l2 is not null && await l2.PublishAsync(request).ConfigureAwait(false);
        return new PurgeResult(removed, fromL2, published);
    }

    /// <summary>Another instance purged: this L1 follows.</summary>
    private void Purged(PurgeRequest request) => _store.Purge(new PurgeFilter(request, _routes));

    private ICacheStore NewTiers() => _l2 is { } l2 ? new TieredStore(_store, l2) : _store;
}
