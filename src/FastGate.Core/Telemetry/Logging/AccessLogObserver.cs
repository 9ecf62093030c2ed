using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>Phase 7: one access-log line per exchange while the access log is on; one volatile read while it is off.</summary>
public sealed class AccessLogObserver : IExchangeObserver
{
    private volatile AccessLog? _log;

    internal AccessLog? Current
    {
        get => _log;
        set => _log = value;
    }

    public void OnExchangeCompleted(ExchangeContext context) => _log?.Write(context);
}
