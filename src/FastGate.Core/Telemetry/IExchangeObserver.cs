using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>
/// Phase 7: called exactly once per exchange, after the last byte was written or the exchange was given up, with
/// its context (route, destination, status, outcome, phase timestamps, byte counts). Runs on the connection's
/// thread: record, don't block; the context is reused as soon as this returns.
/// </summary>
public interface IExchangeObserver
{
    void OnExchangeCompleted(ExchangeContext context);
}
