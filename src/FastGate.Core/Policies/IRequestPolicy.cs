using FastGate.Proxy;

namespace FastGate.Policies;

/// <summary>
/// Phase 3 of an exchange: runs in route order after routing, before the cache and the upstream (rate limit, JWT,
/// CORS, request transforms). To answer locally, set <see cref="ExchangeContext.Local"/> and return
/// <see cref="PolicyDecision.Respond"/>. Must not allocate per request in steady state; complete synchronously
/// when it can (a completed ValueTask costs nothing).
/// </summary>
public interface IRequestPolicy
{
    ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context);
}
