using System.Diagnostics;

namespace FastGate.Telemetry.Tracing;

/// <summary>
/// The spans of one sampled exchange, held by its <see cref="Proxy.ExchangeContext"/>: the gateway's server span
/// and the current upstream attempt's client span, and the <c>traceparent</c> forwarded for that attempt. Both
/// stay null for an exchange that is not sampled, which is all the request path then pays.
/// </summary>
public sealed class ExchangeTrace
{
    private readonly byte[] _forwarded = new byte[TraceParent.Length];

    public Activity? Server { get; internal set; }
    public Activity? Attempt { get; internal set; }

    /// <summary>The <c>traceparent</c> to send upstream (the attempt span as parent), or empty.</summary>
    internal ReadOnlySpan<byte> ForwardedParent => Attempt is null ? default : _forwarded;

    internal Span<byte> ForwardedParentBuffer => _forwarded;

    internal void Reset()
    {
        Server = null;
        Attempt = null;
    }
}
