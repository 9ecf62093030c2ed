using FastGate.Http;

namespace FastGate.Caching;

/// <summary>What a request says to the cache (RFC 9111 §5.2.1, RFC 5861 §4, RFC 9110 §13.1): read from its fields without copying.</summary>
internal struct RequestDirectives
{
    public bool NoStore;
    /// <summary>no-cache, max-age=0 or Pragma: no-cache: go upstream (the new response may be stored).</summary>
    public bool NoCache;
    /// <summary>The oldest response the client takes, in seconds; -1 for any fresh one.</summary>
    public long MaxAge;
    /// <summary>How far past its freshness a response may be and still do (max-stale; bare: any), in seconds; -1 for none.</summary>
    public long MaxStale;
    /// <summary>How long a fresh response must stay fresh to do (min-fresh), in seconds; -1 for none.</summary>
    public long MinFresh;
    /// <summary>The request's stale-if-error window, in seconds; -1 for none.</summary>
    public long StaleIfError;
    public bool HasAuthorization;
    /// <summary>The request has If-None-Match (then If-Modified-Since is ignored: RFC 9110 §13.1.3).</summary>
    public bool HasIfNoneMatch;
    /// <summary>The index of the If-Modified-Since field, or -1.</summary>
    public int IfModifiedSince;

    public readonly bool IsConditional => HasIfNoneMatch || IfModifiedSince >= 0;

    public static RequestDirectives Of(RequestHead request)
    {
        var directives = new RequestDirectives { MaxAge = -1, MaxStale = -1, MinFresh = -1, StaleIfError = -1, IfModifiedSince = -1 };
        var pragmaNoCache = false;
        var hasCacheControl = false;
        for (var i = 0; i < request.FieldCount; i++)
        {
            var name = request.Name(i);
            if (CacheControl.Is(name, "authorization"u8)) directives.HasAuthorization = true;
            else if (CacheControl.Is(name, "pragma"u8)) pragmaNoCache |= HttpChars.TrimOws(request.Value(i)).SequenceEqual("no-cache"u8);
            else if (CacheControl.Is(name, "cache-control"u8))
            {
                hasCacheControl = true;
                directives.Read(request.Value(i));
            }
            else if (CacheControl.Is(name, "if-none-match"u8)) directives.HasIfNoneMatch = true;
            else if (CacheControl.Is(name, "if-modified-since"u8) && directives.IfModifiedSince < 0) directives.IfModifiedSince = i;
        }
        // Pragma counts only without Cache-Control (RFC 9111 §5.4).
        if (pragmaNoCache && !hasCacheControl) directives.NoCache = true;
        if (directives.MaxAge == 0) directives.NoCache = true;
        return directives;
    }

    private void Read(ReadOnlySpan<byte> list)
    {
        var position = 0;
        while (CacheControl.Next(list, ref position, out var name, out var value))
        {
            if (CacheControl.Is(name, "no-store"u8)) NoStore = true;
            else if (CacheControl.Is(name, "no-cache"u8)) NoCache = true;
            else if (CacheControl.Is(name, "max-age"u8)) MaxAge = Smaller(MaxAge, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "max-stale"u8)) MaxStale = value.IsEmpty ? int.MaxValue : Smaller(MaxStale, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "min-fresh"u8)) MinFresh = Math.Max(MinFresh, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "stale-if-error"u8)) StaleIfError = Smaller(StaleIfError, CacheControl.Seconds(value));
        }
    }

    /// <summary>The smaller of a directive given twice; a bad value is ignored.</summary>
    private static long Smaller(long current, long seconds) => seconds < 0 ? current : current < 0 ? seconds : Math.Min(current, seconds);
}
