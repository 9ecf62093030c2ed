using System.Diagnostics;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>peak_ewma</c>: latency-aware power of two choices (as Finagle and Linkerd). Of two random available
/// destinations the one with the lower cost wins, cost = its <see cref="LatencyEwma"/> × (in-flight + 1): a slow
/// or busy destination gets less, one never tried gets tried. Fed by <see cref="ILatencyAwareBalancer"/>.
/// </summary>
public sealed class PeakEwmaBalancer : ILatencyAwareBalancer
{
    public const string ConfigName = "peak_ewma";

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        var count = available.Length;
        if (count <= 1) return count == 0 ? null : available[0];
        var (a, b) = TwoRandomChoices.Draw(available);
        var now = Stopwatch.GetTimestamp();
        var bWins = Cost(b, now) < Cost(a, now);
        return SlowStartSkips.Prefer(bWins ? b : a, bWins ? a : b);
    }

    private static double Cost(DestinationState destination, long now) => destination.Latency.Decayed(now) * (destination.InFlight + 1);
}
