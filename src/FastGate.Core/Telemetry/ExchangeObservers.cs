namespace FastGate.Telemetry;

/// <summary>The observers every exchange of the process reports to when it completes; process-wide, kept across reloads.</summary>
public sealed class ExchangeObservers(params IExchangeObserver[] all)
{
    public static readonly ExchangeObservers None = new();

    public IExchangeObserver[] All { get; } = all;
}
