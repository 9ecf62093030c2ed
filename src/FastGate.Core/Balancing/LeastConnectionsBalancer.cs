using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>least_connections</c>: power of two choices. Two distinct random destinations are compared and the one
/// with fewer in-flight requests wins; this avoids the herd a global minimum causes and needs no shared state.
/// </summary>
public sealed class LeastConnectionsBalancer : IBalancer
{
    public const string ConfigName = "least_connections";

    public string Name => ConfigName;

    public DestinationState? Pick(DestinationState[] destinations)
    {
        var count = destinations.Length;
        if (count == 0) return null;
        if (count == 1) return destinations[0];

        var i = Random.Shared.Next(count);
        var j = Random.Shared.Next(count - 1);
        if (j >= i) j++;

        var a = destinations[i];
        var b = destinations[j];
        return b.InFlight < a.InFlight ? b : a;
    }
}
