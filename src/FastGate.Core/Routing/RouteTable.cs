using FastGate.Http;

namespace FastGate.Routing;

/// <summary>
/// Routes compiled into a list ordered from most to least specific, so the first match is the best one.
/// Declaration order does not matter.
/// </summary>
public sealed class RouteTable : IRouteTable
{
    public static readonly RouteTable Empty = new([]);

    private readonly Entry[] _entries;
    private readonly IReadOnlyList<Route> _routes;

    /// <summary>Compiles the routes. Throws <see cref="FormatException"/> for a bad pattern and <see cref="ArgumentException"/> for conflicting routes.</summary>
    public RouteTable(IEnumerable<Route> routes)
    {
        var entries = new List<Entry>();
        foreach (var route in routes)
            entries.Add(new Entry(route, HostPattern.Parse(route.Host), RoutePattern.Parse(route.Path)));
        entries.Sort(Compare);

        var conflicts = FindConflicts(entries);
        if (conflicts.Count > 0)
            throw new ArgumentException($"route \"{conflicts[0].Second.Name}\" duplicates route \"{conflicts[0].First.Name}\"", nameof(routes));

        _entries = entries.ToArray();
        _routes = Array.AsReadOnly(Array.ConvertAll(_entries, e => e.Route));
    }

    /// <summary>The routes in match order (most specific first).</summary>
    public IReadOnlyList<Route> Routes => _routes;

    public Route? Match(ReadOnlySpan<byte> host, ReadOnlySpan<byte> path, HttpMethod method)
    {
        host = HostPattern.StripPort(host);
        var entries = _entries;
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            if (e.Route.Methods.Contains(method) && e.Host.Matches(host) && e.Path.Matches(path))
                return e.Route;
        }
        return null;
    }

    /// <summary>
    /// Pairs of routes that are duplicates (same host pattern, same path shape ignoring parameter names,
    /// overlapping methods; an explicit method set does not overlap an any-method route). Routes whose patterns do not parse are skipped.
    /// </summary>
    public static IReadOnlyList<RouteConflict> FindConflicts(IEnumerable<Route> routes)
    {
        var entries = new List<Entry>();
        foreach (var route in routes)
        {
            if (HostPattern.TryParse(route.Host, out var host, out _) && RoutePattern.TryParse(route.Path, out var path, out _))
                entries.Add(new Entry(route, host, path));
        }
        return FindConflicts(entries);
    }

    private static List<RouteConflict> FindConflicts(List<Entry> entries)
    {
        var conflicts = new List<RouteConflict>();
        for (var i = 0; i < entries.Count; i++)
        {
            for (var j = i + 1; j < entries.Count; j++)
            {
                var a = entries[i];
                var b = entries[j];
                if (a.Host.Kind == b.Host.Kind
                    && a.Host.Key == b.Host.Key
                    && a.Path.Shape == b.Path.Shape
                    && MethodsOverlap(a.Route.Methods, b.Route.Methods))
                {
                    conflicts.Add(new RouteConflict(a.Route, b.Route));
                }
            }
        }
        return conflicts;
    }

    // A method set next to an any-method route is a deliberate override (the set wins), not a duplicate.
    private static bool MethodsOverlap(HttpMethodSet a, HttpMethodSet b) =>
        a.IsAny == b.IsAny && (a.Mask & b.Mask) != 0;

    private static int Compare(Entry a, Entry b)
    {
        var c = HostPattern.CompareSpecificity(a.Host, b.Host);
        if (c != 0) return c;
        c = RoutePattern.CompareSpecificity(a.Path, b.Path);
        if (c != 0) return c;
        c = a.Route.Methods.IsAny.CompareTo(b.Route.Methods.IsAny);
        if (c != 0) return c;
        return string.CompareOrdinal(a.Route.Name, b.Route.Name);
    }

    private sealed record Entry(Route Route, HostPattern Host, RoutePattern Path);
}
