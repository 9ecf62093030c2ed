using System.Text;

namespace FastGate.Caching;

/// <summary>
/// Whether a stored key (and its tags) falls under a purge. A URL matches every entry of its host (any, without one)
/// and path whose query part is what the URL's query becomes under the entry's route's <c>key_query</c>, with every
/// key header and Vary variant; a prefix or glob matches on the path alone; a tag on the entry's tags.
/// </summary>
public sealed class PurgeFilter(PurgeRequest request, IReadOnlyDictionary<string, RouteCache> routes)
{
    private readonly Dictionary<string, byte[]> _queries = [];
    private readonly byte[]? _host = request.Host is { } host ? Encoding.ASCII.GetBytes(host) : null;

    public PurgeRequest Request => request;

    public bool Matches(ReadOnlySpan<byte> key, string[] tags)
    {
        if (request.Kind == PurgeKind.Tag) return Array.IndexOf(tags, request.Value) >= 0;
        var parts = new CacheKeyParts(key);
        if (!parts.Valid || (_host is not null && !parts.Host.SequenceEqual(_host))) return false;
        return request.Kind switch
        {
            PurgeKind.Prefix => parts.Path.StartsWith(request.Path),
            PurgeKind.Glob => PathGlob.Matches(request.Path, parts.Path),
            _ => parts.Path.SequenceEqual(request.Path) && parts.Query.SequenceEqual(QueryFor(parts.Route)),
        };
    }

    private byte[] QueryFor(ReadOnlySpan<byte> route)
    {
        var name = Encoding.UTF8.GetString(route);
        if (_queries.TryGetValue(name, out var query)) return query;
        query = routes.TryGetValue(name, out var cache) ? cache.QueryPart(request.Query) : request.Query;
        _queries[name] = query;
        return query;
    }
}
