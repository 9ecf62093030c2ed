using System.Diagnostics;

namespace FastGate.Telemetry.Tracing;

/// <summary>The one <see cref="ActivitySource"/> the gateway's spans come from; the exporter listens to its name.</summary>
public static class GatewayActivitySource
{
    public const string Name = "FastGate";

    public static readonly ActivitySource Instance = new(Name);
}
