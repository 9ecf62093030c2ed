using System.Diagnostics;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Caching;

/// <summary>
/// The cache's own conditional request for a stored response (RFC 9111 §4.3.1) and the entry a 304 makes of it
/// (§4.3.3, §4.3.4), and the windows in which a stale entry may stand in for the upstream (§4.2.4, RFC 5861).
/// </summary>
internal static class Revalidation
{
    /// <summary>
    /// Puts the entry's validators on the upstream request in place of the client's own If-None-Match and
    /// If-Modified-Since (those are evaluated by the cache against the result); false when the entry has none.
    /// </summary>
    public static bool AddConditionals(ExchangeContext context, CacheEntry entry)
    {
        var hasTag = StoredHead.TryGetField(entry.Head, "etag"u8, out var etag);
        var hasDate = StoredHead.TryGetField(entry.Head, "last-modified"u8, out var lastModified);
        if (!hasTag && !hasDate) return false;
        var request = context.Request;
        for (var i = 0; i < request.FieldCount; i++)
        {
            var name = request.Name(i);
            if (CacheControl.Is(name, "if-none-match"u8) || CacheControl.Is(name, "if-modified-since"u8)) request.Field(i).Drop = true;
        }
        var added = context.RequestEdits.Added;
        if (hasTag) added.Add("If-None-Match"u8, etag);
        if (hasDate) added.Add("If-Modified-Since"u8, lastModified);
        return true;
    }

    /// <summary>
    /// The entry a 304 turns <paramref name="stale"/> into: its head updated from the 304, its freshness and Age
    /// counted anew from <paramref name="respondedAt"/>; null when the updated head may no longer be stored.
    /// </summary>
    public static CacheEntry? Refreshed(CacheEntry stale, ResponseHead notModified, long respondedAt, bool requestHadAuthorization,
        RouteCacheOptions options)
    {
        var now = DateTimeOffset.UtcNow;
        var head = StoredHead.Updated(stale.Head, notModified);
        var directives = ResponseDirectives.OfStored(head, now);
        directives.Age = ResponseDirectives.Of(notModified, now).Age;
        var lifetime = StoragePolicy.Lifetime(directives, stale.Status, requestHadAuthorization, options);
        if (lifetime < 0) return null;
        return new CacheEntry
        {
            Hash = stale.Hash,
            PrimaryHash = stale.PrimaryHash,
            Key = stale.Key,
            Head = head,
            Body = stale.Body,
            Status = stale.Status,
            Tags = stale.Tags,
            StoredAt = respondedAt,
            ExpiresAt = respondedAt + (long)((lifetime - directives.Age) * (double)Stopwatch.Frequency),
            InitialAge = directives.Age,
            AllowsAuthorized = stale.AllowsAuthorized || directives.Public || directives.SMaxAge >= 0 || directives.MustRevalidate,
        };
    }

    /// <summary>
    /// The 304 is about the stored response: it names no ETag, or one that matches the stored one (RFC 9111
    /// §4.3.4); an ETag of another representation must not update the entry.
    /// </summary>
    public static bool SameRepresentation(CacheEntry stale, ResponseHead notModified)
    {
        for (var i = 0; i < notModified.FieldCount; i++)
        {
            if (!CacheControl.Is(notModified.Name(i), "etag"u8)) continue;
            return StoredHead.TryGetField(stale.Head, "etag"u8, out var stored) && EntityTags.WeakMatch(notModified.Value(i), stored);
        }
        return true;
    }

    /// <summary>Seconds since the entry's freshness ended (negative while it is fresh).</summary>
    public static double Staleness(CacheEntry entry, long now) => Stopwatch.GetElapsedTime(entry.ExpiresAt, now).TotalSeconds;

    /// <summary>
    /// Whether a stale entry may answer without the upstream, within <paramref name="window"/> seconds past its
    /// freshness: never for no-cache, must-revalidate or proxy-revalidate; never past the request's max-age.
    /// </summary>
    public static bool WithinWindow(in ResponseDirectives rules, CacheEntry entry, in RequestDirectives request, long window, long now) =>
        window >= 0 && rules.AllowsStale && now >= entry.ExpiresAt && Staleness(entry, now) <= window
        && (request.MaxAge < 0 || CacheHitWriter.Age(entry, now) <= request.MaxAge);

    /// <summary>The upstream failed (or answered 500, 502, 503, 504): the stale entry stands in within stale-if-error (the response's or the request's) or max-stale.</summary>
    public static bool ServesOnError(CacheEntry entry, in RequestDirectives request, long now)
    {
        var rules = ResponseDirectives.OfStored(entry.Head, DateTimeOffset.UtcNow);
        var window = rules.AllowsClientStale ? Math.Max(rules.StaleIfError, Math.Max(request.StaleIfError, request.MaxStale)) : rules.StaleIfError;
        return window >= 0 && rules.AllowsStale && Staleness(entry, now) <= window;
    }

    public static bool IsServerError(int status) => status is 500 or 502 or 503 or 504;
}
