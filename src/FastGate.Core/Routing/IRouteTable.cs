using FastGate.Http;

namespace FastGate.Routing;

/// <summary>Immutable, compiled routes; matching allocates nothing.</summary>
public interface IRouteTable
{
    IReadOnlyList<Route> Routes { get; }

    /// <summary>
    /// The most specific route for a request, or null.
    /// <paramref name="host"/> is the Host header value (may include ":port", which is ignored);
    /// <paramref name="path"/> is the origin-form path without the query.
    /// </summary>
    Route? Match(ReadOnlySpan<byte> host, ReadOnlySpan<byte> path, HttpMethod method);
}
