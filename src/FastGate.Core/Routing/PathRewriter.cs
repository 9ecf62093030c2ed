namespace FastGate.Routing;

/// <summary>Applies a route's strip_prefix / add_prefix to a request path, allocation-free.</summary>
public static class PathRewriter
{
    /// <summary>Whether the route changes paths at all; when false the proxy can forward the path as is.</summary>
    public static bool Rewrites(Route route) => route.StripPrefix.Length > 0 || route.AddPrefix.Length > 0;

    /// <summary>Upper bound of the bytes <see cref="Rewrite"/> writes for a path of <paramref name="pathLength"/> bytes.</summary>
    public static int MaxLength(Route route, int pathLength) => pathLength + route.AddPrefix.Length + 1;

    /// <summary>
    /// Writes the forwarded path into <paramref name="destination"/> and returns the bytes written.
    /// The strip prefix is removed only at a segment boundary ("/api" strips "/api" and "/api/x", not "/apix");
    /// the result always starts with "/". <paramref name="destination"/> must hold <see cref="MaxLength"/> bytes.
    /// </summary>
    public static int Rewrite(Route route, ReadOnlySpan<byte> path, Span<byte> destination)
    {
        var rest = path;
        var strip = route.StripPrefix;
        if (strip.Length > 0 && path.StartsWith(strip)
            && (path.Length == strip.Length || path[strip.Length] == (byte)'/' || strip[^1] == (byte)'/'))
        {
            rest = path[strip.Length..];
        }

        var add = route.AddPrefix;
        var written = 0;
        if (add.Length > 0)
        {
            add.CopyTo(destination);
            written = add.Length;
            if (rest.IsEmpty) return written;
            if (add[^1] == (byte)'/' && rest[0] == (byte)'/') rest = rest[1..];
            else if (add[^1] != (byte)'/' && rest[0] != (byte)'/') destination[written++] = (byte)'/';
        }
        else if (rest.IsEmpty || rest[0] != (byte)'/')
        {
            destination[written++] = (byte)'/';
        }
        rest.CopyTo(destination[written..]);
        return written + rest.Length;
    }
}
