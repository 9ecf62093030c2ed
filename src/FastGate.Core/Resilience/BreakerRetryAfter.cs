using System.Buffers.Text;
using System.Diagnostics;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Resilience;

/// <summary>
/// The fast 503 of a cluster whose every destination has its breaker open: <c>Retry-After</c> says in how many
/// seconds (rounded up, at least 1) the first of them goes half-open; 1 when one is half-open with its trials taken.
/// </summary>
public static class BreakerRetryAfter
{
    /// <summary>Adds the header and returns true when every non-draining member's breaker is open or half-open; else false.</summary>
    public static bool TryAdd(LocalResponse response, ClusterState cluster, long now)
    {
        var seconds = long.MaxValue;
        foreach (var member in cluster.Members)
        {
            if (member.Draining) continue;
            if (BreakerOf(member) is not { } breaker) return false;
            var state = breaker.State;
            if (state == CircuitState.Closed) return false;
            var wait = state == CircuitState.Open ? (breaker.HalfOpenAt - now + Stopwatch.Frequency - 1) / Stopwatch.Frequency : 1;
            seconds = Math.Min(seconds, Math.Max(1, wait));
        }
        if (seconds == long.MaxValue) return false;
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(seconds, digits, out var length);
        response.Headers.Add("Retry-After"u8, digits[..length]);
        return true;
    }

    /// <summary>The destination's breaker, or null when it has none.</summary>
    public static CircuitBreaker? BreakerOf(DestinationState destination)
    {
        foreach (var monitor in destination.Monitors)
        {
            if (monitor is CircuitBreaker breaker) return breaker;
        }
        return null;
    }
}
