using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>Phase 7: an exchange that ended with an error becomes an error-log line (<see cref="ErrorEvents"/>), subject to level and rate.</summary>
public sealed class ErrorLogObserver : IExchangeObserver
{
    public void OnExchangeCompleted(ExchangeContext context)
    {
        if (context.Error == ProxyError.None && context.Rejection == Http.RequestRejection.None) return;
        if (!ErrorEvents.TryClassify(context, out var errorEvent)) return;
        Log.Current.Write(errorEvent, context);
    }
}
