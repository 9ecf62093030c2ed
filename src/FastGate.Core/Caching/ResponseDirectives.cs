using FastGate.Http;

namespace FastGate.Caching;

/// <summary>What a response says to a shared cache (RFC 9111 §5.2.2, §5.3, §5.1): read from its fields without copying.</summary>
internal struct ResponseDirectives
{
    public bool NoStore, NoCache, Private, Public, MustRevalidate, ProxyRevalidate, Immutable;
    public long MaxAge, SMaxAge;
    /// <summary>Expires minus Date (or minus now without Date), in seconds; -1 without Expires, 0 for an invalid one (already expired).</summary>
    public long ExpiresIn;
    /// <summary>The upstream's Age, in seconds (0 when none).</summary>
    public long Age;
    public bool SetsCookie;
    public bool VaryAll;
    public int VaryFields;
    /// <summary>RFC 5861 windows past freshness, in seconds; -1 when not given.</summary>
    public long StaleWhileRevalidate, StaleIfError;
    /// <summary>The response has an ETag or a Last-Modified: a cache can revalidate it with a conditional request.</summary>
    public bool HasValidator;

    /// <summary>May be served stale at all (with a window, or max-stale): not no-cache, must-revalidate or proxy-revalidate (RFC 9111 §4.2.4).</summary>
    public readonly bool AllowsStale => !NoCache && !MustRevalidate && !ProxyRevalidate;

    /// <summary>
    /// May be served stale because the client asks (its max-stale or stale-if-error): not when the origin's own
    /// s-maxage applies, which carries proxy-revalidate for a shared cache (RFC 9111 §5.2.2.10). The origin's own
    /// stale-while-revalidate and stale-if-error still count: it opted in.
    /// </summary>
    public readonly bool AllowsClientStale => AllowsStale && SMaxAge < 0;

    /// <summary>Freshness the origin gave explicitly, in seconds: s-maxage, else max-age, else Expires; -1 for none.</summary>
    public readonly long ExplicitLifetime => SMaxAge >= 0 ? SMaxAge : MaxAge >= 0 ? MaxAge : ExpiresIn;

    public static ResponseDirectives Of(ResponseHead response, DateTimeOffset now)
    {
        var reader = new Reader();
        for (var i = 0; i < response.FieldCount; i++) reader.Field(response.Name(i), response.Value(i));
        return reader.End(now);
    }

    /// <summary>What a stored head says (the stale path reads an entry's rules from its bytes; nothing is kept beside them).</summary>
    public static ResponseDirectives OfStored(ReadOnlySpan<byte> head, DateTimeOffset now)
    {
        var reader = new Reader();
        var position = StoredHead.FirstField(head);
        while (StoredHead.NextField(head, ref position, out var name, out var value, out _)) reader.Field(name, value);
        return reader.End(now);
    }

    private struct Reader
    {
        private ResponseDirectives _d;
        private long _expires, _date;
        private bool _expiresInvalid;

        public Reader()
        {
            _d = new ResponseDirectives { MaxAge = -1, SMaxAge = -1, ExpiresIn = -1, StaleWhileRevalidate = -1, StaleIfError = -1 };
            _expires = _date = -1;
        }

        public void Field(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (CacheControl.Is(name, "cache-control"u8)) _d.Read(value);
            else if (CacheControl.Is(name, "expires"u8))
            {
                _expires = HttpDate.Parse(value);
                _expiresInvalid = _expires < 0;
            }
            else if (CacheControl.Is(name, "date"u8)) _date = HttpDate.Parse(value);
            else if (CacheControl.Is(name, "age"u8)) _d.Age = Math.Max(0, CacheControl.Seconds(HttpChars.TrimOws(value)));
            else if (CacheControl.Is(name, "set-cookie"u8)) _d.SetsCookie = true;
            else if (CacheControl.Is(name, "vary"u8)) _d.ReadVary(value);
            else if (CacheControl.Is(name, "etag"u8) || CacheControl.Is(name, "last-modified"u8)) _d.HasValidator = true;
        }

        public ResponseDirectives End(DateTimeOffset now)
        {
            if (_expiresInvalid) _d.ExpiresIn = 0;
            else if (_expires >= 0) _d.ExpiresIn = Math.Max(0, _expires - (_date >= 0 ? _date : now.ToUnixTimeSeconds()));
            return _d;
        }
    }

    private void Read(ReadOnlySpan<byte> list)
    {
        var position = 0;
        while (CacheControl.Next(list, ref position, out var name, out var value))
        {
            if (CacheControl.Is(name, "no-store"u8)) NoStore = true;
            // The qualified forms (no-cache="Set-Cookie", private="...") are taken unqualified: stricter, never wrong.
            else if (CacheControl.Is(name, "no-cache"u8)) NoCache = true;
            else if (CacheControl.Is(name, "private"u8)) Private = true;
            else if (CacheControl.Is(name, "public"u8)) Public = true;
            else if (CacheControl.Is(name, "must-revalidate"u8)) MustRevalidate = true;
            else if (CacheControl.Is(name, "proxy-revalidate"u8)) ProxyRevalidate = true;
            else if (CacheControl.Is(name, "immutable"u8)) Immutable = true;
            else if (CacheControl.Is(name, "max-age"u8)) MaxAge = Min(MaxAge, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "s-maxage"u8)) SMaxAge = Min(SMaxAge, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "stale-while-revalidate"u8)) StaleWhileRevalidate = Min(StaleWhileRevalidate, CacheControl.Seconds(value));
            else if (CacheControl.Is(name, "stale-if-error"u8)) StaleIfError = Min(StaleIfError, CacheControl.Seconds(value));
        }
    }

    /// <summary>A repeated directive: the smaller value (a bad value counts as 0, stale: RFC 9111 §4.2.1).</summary>
    private static long Min(long current, long value)
    {
        if (value < 0) value = 0;
        return current < 0 ? value : Math.Min(current, value);
    }

    private void ReadVary(ReadOnlySpan<byte> list)
    {
        var position = 0;
        while (CacheControl.Next(list, ref position, out var name, out _))
        {
            if (name.SequenceEqual("*"u8)) VaryAll = true;
            else VaryFields++;
        }
    }
}
