namespace FastGate.Health;

/// <summary>Creates probes from their config names (<c>health = { type = "http" | "tcp" }</c>).</summary>
public static class HealthProbeFactory
{
    public static IReadOnlyList<string> Names { get; } = [HttpHealthProbe.ConfigName, TcpHealthProbe.ConfigName];

    public static IHealthProbe Create(HealthCheckPolicy policy) => policy.Type switch
    {
        HttpHealthProbe.ConfigName => new HttpHealthProbe(policy),
        TcpHealthProbe.ConfigName => new TcpHealthProbe(),
        _ => throw new ArgumentException($"unknown health check type \"{policy.Type}\" (expected {string.Join(", ", Names)})", nameof(policy)),
    };
}
