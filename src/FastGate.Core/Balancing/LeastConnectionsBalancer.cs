using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>least_connections</c>: power of two choices. Two distinct random available are compared and the one
/// with fewer in-flight requests wins; this avoids the herd a global minimum causes and needs no shared state.
/// </summary>
public sealed class LeastConnectionsBalancer : IBalancer
{
    public const string ConfigName = "least_connections";

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        var count = available.Length;
        if (count == 0) return null;
        if (count == 1) return available[0];

        var (a, b) = TwoRandomChoices.Draw(available);
        return SlowStartSkips.Prefer(b.InFlight < a.InFlight ? b : a, b.InFlight < a.InFlight ? a : b);
    }
}
