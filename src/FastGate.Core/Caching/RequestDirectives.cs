using FastGate.Http;

namespace FastGate.Caching;

/// <summary>What a request says to the cache (RFC 9111 §5.2.1): read from its fields without copying.</summary>
internal struct RequestDirectives
{
    public bool NoStore;
    /// <summary>no-cache, max-age=0 or Pragma: no-cache: go upstream (the new response may be stored).</summary>
    public bool NoCache;
    /// <summary>The oldest response the client takes, in seconds; -1 for any fresh one.</summary>
    public long MaxAge;
    public bool HasAuthorization;

    public static RequestDirectives Of(RequestHead request)
    {
        var directives = new RequestDirectives { MaxAge = -1 };
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
            else if (CacheControl.Is(name, "max-age"u8))
            {
                var seconds = CacheControl.Seconds(value);
                if (seconds >= 0) MaxAge = MaxAge < 0 ? seconds : Math.Min(MaxAge, seconds);
            }
        }
    }
}
