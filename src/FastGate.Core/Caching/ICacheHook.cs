using FastGate.Proxy;

namespace FastGate.Caching;

/// <summary>
/// Phase 4 of an exchange, for a route with a cache: a hit writes the stored response to the client and skips the
/// upstream; a miss lets the exchange go on (and may make it the fill, later).
/// </summary>
public interface ICacheHook
{
    ValueTask<CacheLookup> LookupAsync(ExchangeContext context);

    /// <summary>Phase 6, after the response policies and before the head is written: the upstream's response is known.</summary>
    void OnResponse(ExchangeContext context);

    /// <summary>Phase 7, before the observers: the exchange is over (a fill is complete or abandoned).</summary>
    void OnCompleted(ExchangeContext context);
}
