namespace FastGate.Telemetry;

/// <summary>The spans of an exchange that are timed, from the context's phase timestamps.</summary>
public enum LatencyPhase
{
    /// <summary>From the first byte of the request head to the end of the exchange.</summary>
    Total,
    /// <summary>From routing to holding an upstream connection (a pooled one, or a new one once connected).</summary>
    Connect,
    /// <summary>From the first byte of the request head to the upstream's response head.</summary>
    FirstByte,
    /// <summary>From holding the upstream connection to the end of the exchange.</summary>
    Upstream,
}
