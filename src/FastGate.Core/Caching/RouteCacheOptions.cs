namespace FastGate.Caching;

/// <summary>A route's <c>[routes.NAME.cache]</c> table, validated; compiled into a <see cref="RouteCache"/> when the config is bound.</summary>
public sealed record RouteCacheOptions
{
    public bool Enabled { get; init; } = true;
    /// <summary>Freshness given to a response the origin gave none (heuristic statuses and <c>public</c> only); zero stores none such.</summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.Zero;
    /// <summary>No response is kept fresh longer than this, whatever the origin says.</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(1);
    public long MaxObjectSize { get; init; } = 1 << 20;
    /// <summary>Query parameters that form the key, sorted: null = the whole query string as sent, empty = none.</summary>
    public string[]? KeyQuery { get; init; }
    /// <summary>Request headers whose values form the key (lower case).</summary>
    public string[] KeyHeaders { get; init; } = [];
    /// <summary>Store responses that set a cookie (off: a shared cache would hand one client's cookie to all).</summary>
    public bool StoreSetCookie { get; init; }
}
