using FastGate.Routing;

namespace FastGate.Telemetry;

/// <summary>
/// One <see cref="RouteStats"/> per route name, kept across reloads; <see cref="Bind"/> hands each route of a new
/// config its stats (off the hot path), so an exchange finds them through its route without a lookup.
/// Requests no route matched count under <see cref="Unmatched"/>.
/// </summary>
public sealed class RouteStatsRegistry
{
    /// <summary>The <c>route</c> label of requests that matched no route.</summary>
    public const string UnmatchedName = "(unmatched)";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, RouteStats> _byName = new(StringComparer.Ordinal);
    private volatile RouteStats[] _current = [];

    public RouteStats Unmatched { get; } = new(UnmatchedName);

    /// <summary>The routes of the latest bound config, in its order (routes a reload dropped are no longer listed).</summary>
    public RouteStats[] Current => _current;

    public void Bind(IEnumerable<Route> routes)
    {
        lock (_lock)
        {
            var bound = new List<RouteStats>();
            foreach (var route in routes)
            {
                if (!_byName.TryGetValue(route.Name, out var stats)) _byName[route.Name] = stats = new RouteStats(route.Name);
                route.Stats = stats;
                bound.Add(stats);
            }
            _current = [.. bound];
        }
    }
}
