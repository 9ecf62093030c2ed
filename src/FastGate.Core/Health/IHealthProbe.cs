using FastGate.Upstreams;

namespace FastGate.Health;

/// <summary>One active health check of a destination, named as in config (<c>health = { type = "..." }</c>).</summary>
public interface IHealthProbe
{
    string Name { get; }

    /// <summary>
    /// Probes <paramref name="destination"/> once, on a connection of its own (never the request pool); returns
    /// what it found. Never throws: <paramref name="cancel"/> (the policy's timeout) ends it as a failure.
    /// </summary>
    Task<ProbeResult> ProbeAsync(DestinationState destination, CancellationToken cancel);
}
