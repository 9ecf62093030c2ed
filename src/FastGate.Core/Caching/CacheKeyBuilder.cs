using System.IO.Hashing;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Caching;

/// <summary>
/// Writes a request's cache key into the exchange's key buffer: the route, the host (lower case), the normalised
/// path, the query (whole, none, or only the listed parameters in sorted order) and the values of the key headers.
/// The method is not part of it, so GET and HEAD share entries. Hashed with XxHash3; the bytes stay for the
/// full-key comparison on a hit.
/// </summary>
internal static class CacheKeyBuilder
{
    public static void WritePrimary(CacheExchange state, byte[] routeKey, RequestHead request, byte[][]? keyQuery, byte[][] keyHeaders, HeaderBlock? added = null)
    {
        state.KeyLength = 0;
        state.Append(routeKey);
        var host = request.Authority;
        var at = state.Reserve(host.Length);
        System.Text.Ascii.ToLower(host, at, out _);
        state.Append("\n"u8);
        state.Append(request.TargetForm == RequestTargetForm.Asterisk || request.Path.IsEmpty ? "/"u8 : request.Path);
        var query = request.Query;
        if (keyQuery is null) state.Append(query);
        else if (keyQuery.Length > 0 && query.Length > 1) AppendParameters(state, query[1..], keyQuery);
        state.Append("\n"u8);
        foreach (var name in keyHeaders) AppendHeader(state, request, added, name);
        state.PrimaryLength = state.KeyLength;
        state.PrimaryHash = XxHash3.HashToUInt64(state.Key);
    }

    /// <summary>
    /// The part of a key that <paramref name="query"/> (with its '?', or empty) becomes under the route's key_query:
    /// what a purge by URL compares with the query part of stored keys.
    /// </summary>
    public static byte[] QueryPart(ReadOnlySpan<byte> query, byte[][]? keyQuery)
    {
        if (keyQuery is null) return query.ToArray();
        if (keyQuery.Length == 0 || query.Length <= 1) return [];
        var state = new CacheExchange();
        AppendParameters(state, query[1..], keyQuery);
        return state.Key.ToArray();
    }

    /// <summary>Extends the primary key by the values of the headers a Vary marker names; returns the variant's hash.</summary>
    public static ulong WriteVariant(CacheExchange state, RequestHead request, HeaderBlock? added, byte[][] varyNames)
    {
        state.KeyLength = state.PrimaryLength;
        state.Append("vary\n"u8);
        foreach (var name in varyNames) AppendHeader(state, request, added, name);
        return XxHash3.HashToUInt64(state.Key);
    }

    /// <summary>
    /// The listed parameters in the list's (sorted) order, each occurrence as sent, after '?' and then '&amp;' (the
    /// path ends at the '?', which a purge by path relies on).
    /// </summary>
    private static void AppendParameters(CacheExchange state, ReadOnlySpan<byte> query, byte[][] names)
    {
        var first = true;
        foreach (var wanted in names)
        {
            var rest = query;
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf((byte)'&');
                var pair = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                var equals = pair.IndexOf((byte)'=');
                var name = equals < 0 ? pair : pair[..equals];
                if (!name.SequenceEqual(wanted)) continue;
                state.Append(first ? "?"u8 : "&"u8);
                state.Append(pair);
                first = false;
            }
        }
    }

    /// <summary>
    /// "name:v1,v2\n" for every field called <paramref name="name"/> (lower case), trimmed, in order, as the upstream
    /// gets them (RFC 9111 §4.1): the client's fields a policy dropped are left out, the lines policies added follow.
    /// So a Vary on a header the gateway sets from a JWT claim keys on the claim, never on a client's copy.
    /// </summary>
    private static void AppendHeader(CacheExchange state, RequestHead request, HeaderBlock? added, byte[] name)
    {
        state.Append(name);
        state.Append(":"u8);
        var first = true;
        for (var i = 0; i < request.FieldCount; i++)
        {
            if (request.Field(i).Drop || !System.Text.Ascii.EqualsIgnoreCase(request.Name(i), name)) continue;
            if (!first) state.Append(","u8);
            state.Append(HttpChars.TrimOws(request.Value(i)));
            first = false;
        }
        var position = 0;
        while (added is not null && added.TryNext(name, ref position, out var value))
        {
            if (!first) state.Append(","u8);
            state.Append(value);
            first = false;
        }
        state.Append("\n"u8);
    }
}
