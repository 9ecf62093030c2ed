namespace FastGate.Caching;

/// <summary>Entity-tag comparison over bytes (RFC 9110 §8.8.3.2): the weak comparison If-None-Match uses.</summary>
internal static class EntityTags
{
    /// <summary>
    /// Whether an If-None-Match list (<c>*</c>, or entity-tags separated by commas) matches <paramref name="etag"/>
    /// by weak comparison: the opaque tags are equal, whether or not either is marked weak.
    /// </summary>
    public static bool WeakMatch(ReadOnlySpan<byte> list, ReadOnlySpan<byte> etag)
    {
        var stored = Opaque(etag);
        var i = 0;
        while (i < list.Length)
        {
            var b = list[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)',')
            {
                i++;
                continue;
            }
            if (b == '*') return true;
            if (b == 'W' && i + 1 < list.Length && list[i + 1] == '/') i += 2;
            // An opaque tag is quoted and holds no quote; a comma inside it is part of it.
            if (i >= list.Length || list[i] != '"') return false;
            var end = list[(i + 1)..].IndexOf((byte)'"');
            if (end < 0) return false;
            var tag = list.Slice(i, end + 2);
            if (!stored.IsEmpty && tag.SequenceEqual(stored)) return true;
            i += end + 2;
        }
        return false;
    }

    /// <summary>The quoted opaque tag of an entity-tag (without W/), or empty for a malformed one.</summary>
    private static ReadOnlySpan<byte> Opaque(ReadOnlySpan<byte> etag)
    {
        etag = Http.HttpChars.TrimOws(etag);
        if (etag.StartsWith("W/"u8)) etag = etag[2..];
        return etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag : default;
    }
}
