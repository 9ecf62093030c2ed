using FastGate.Proxy;

namespace FastGate.Policies;

/// <summary>
/// Phase 6 of an exchange: runs once the status is known and before the head is written, for upstream responses and
/// the gateway's own answers to a routed request alike. Edits go through <see cref="ExchangeContext.ResponseEdits"/>.
/// </summary>
public interface IResponsePolicy
{
    void OnResponse(ExchangeContext context);
}
