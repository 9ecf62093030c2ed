using FastGate.Proxy;

namespace FastGate.Caching;

/// <summary>
/// Phase 4 of an exchange, for a route with a cache: a hit writes the stored response to the client and skips the
/// upstream; a miss lets the exchange go on (and may make it the fill, or the revalidation of a stale entry, later).
/// </summary>
public interface ICacheHook
{
    ValueTask<CacheLookup> LookupAsync(ExchangeContext context);

    /// <summary>
    /// Phase 6, after the response policies and before the head is written: the upstream's response is known. True
    /// when the cache answers from its entry instead of relaying it (<see cref="AnswerAsync"/>).
    /// </summary>
    bool OnResponse(ExchangeContext context);

    /// <summary>The upstream gave no response: true when the cache answers from a stale entry instead of the error (<see cref="AnswerAsync"/>).</summary>
    bool OnUpstreamFailed(ExchangeContext context);

    /// <summary>Writes the entry the cache chose in <see cref="OnResponse"/> or <see cref="OnUpstreamFailed"/>; returns whether the connection stays open.</summary>
    ValueTask<bool> AnswerAsync(ExchangeContext context);

    /// <summary>Phase 7, before the observers: the exchange is over (a fill is complete or abandoned).</summary>
    void OnCompleted(ExchangeContext context);
}
