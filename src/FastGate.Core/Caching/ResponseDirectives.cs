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

    /// <summary>Freshness the origin gave explicitly, in seconds: s-maxage, else max-age, else Expires; -1 for none.</summary>
    public readonly long ExplicitLifetime => SMaxAge >= 0 ? SMaxAge : MaxAge >= 0 ? MaxAge : ExpiresIn;

    public static ResponseDirectives Of(ResponseHead response, DateTimeOffset now)
    {
        var d = new ResponseDirectives { MaxAge = -1, SMaxAge = -1, ExpiresIn = -1 };
        var expires = -1L;
        var date = -1L;
        var expiresInvalid = false;
        for (var i = 0; i < response.FieldCount; i++)
        {
            var name = response.Name(i);
            var value = response.Value(i);
            if (CacheControl.Is(name, "cache-control"u8)) d.Read(value);
            else if (CacheControl.Is(name, "expires"u8))
            {
                expires = HttpDate.Parse(value);
                expiresInvalid = expires < 0;
            }
            else if (CacheControl.Is(name, "date"u8)) date = HttpDate.Parse(value);
            else if (CacheControl.Is(name, "age"u8)) d.Age = Math.Max(0, CacheControl.Seconds(HttpChars.TrimOws(value)));
            else if (CacheControl.Is(name, "set-cookie"u8)) d.SetsCookie = true;
            else if (CacheControl.Is(name, "vary"u8)) d.ReadVary(value);
        }
        if (expiresInvalid) d.ExpiresIn = 0;
        else if (expires >= 0) d.ExpiresIn = Math.Max(0, expires - (date >= 0 ? date : now.ToUnixTimeSeconds()));
        return d;
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
