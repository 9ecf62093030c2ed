namespace FastGate.Caching;

/// <summary>
/// Reads a stored key back (see <see cref="CacheKeyBuilder"/>): "route\n", the host, "\n", the path, the query part
/// (from '?'), "\n", then the key headers and any Vary part.
/// </summary>
internal readonly ref struct CacheKeyParts
{
    public readonly ReadOnlySpan<byte> Route, Host, Path, Query;
    public readonly bool Valid;

    public CacheKeyParts(ReadOnlySpan<byte> key)
    {
        var first = key.IndexOf((byte)'\n');
        if (first < 0) return;
        Route = key[..first];
        var rest = key[(first + 1)..];
        var second = rest.IndexOf((byte)'\n');
        if (second < 0) return;
        Host = rest[..second];
        rest = rest[(second + 1)..];
        var third = rest.IndexOf((byte)'\n');
        if (third < 0) return;
        var target = rest[..third];
        var question = target.IndexOf((byte)'?');
        Path = question < 0 ? target : target[..question];
        Query = question < 0 ? default : target[question..];
        Valid = true;
    }
}
