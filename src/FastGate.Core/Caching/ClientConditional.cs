using FastGate.Http;

namespace FastGate.Caching;

/// <summary>
/// A client's conditional GET or HEAD evaluated against a stored response (RFC 9110 §13.1.2, §13.1.3, §13.2.2):
/// If-None-Match by weak comparison with the stored ETag, else If-Modified-Since against the stored Last-Modified.
/// </summary>
internal static class ClientConditional
{
    /// <summary>The client already has this response: it gets a 304.</summary>
    public static bool NotModified(RequestHead request, in RequestDirectives directives, CacheEntry entry)
    {
        // Preconditions apply to a response that would be a 2xx; a stored 404 is sent as it is.
        if (entry.Status is < 200 or > 299 || request.Method is not (HttpMethod.Get or HttpMethod.Head)) return false;
        if (directives.HasIfNoneMatch)
        {
            var hasTag = StoredHead.TryGetField(entry.Head, "etag"u8, out var etag);
            for (var i = 0; i < request.FieldCount; i++)
            {
                if (!CacheControl.Is(request.Name(i), "if-none-match"u8)) continue;
                var list = request.Value(i);
                if (HttpChars.TrimOws(list).SequenceEqual("*"u8) || (hasTag && EntityTags.WeakMatch(list, etag))) return true;
            }
            return false;
        }
        if (directives.IfModifiedSince < 0 || !StoredHead.TryGetField(entry.Head, "last-modified"u8, out var lastModified)) return false;
        var since = HttpDate.Parse(request.Value(directives.IfModifiedSince));
        var modified = HttpDate.Parse(lastModified);
        return since >= 0 && modified >= 0 && modified <= since;
    }
}
