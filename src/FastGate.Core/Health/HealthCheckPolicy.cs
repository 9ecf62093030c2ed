namespace FastGate.Health;

/// <summary>
/// A cluster's <c>health = { type, path, method, host, interval, jitter, timeout, healthy_threshold,
/// unhealthy_threshold, expect_status, expect_body, slow_start }</c>, as configured. A record, so a reload that
/// leaves it unchanged keeps the probers running (<see cref="HealthChecks"/>).
/// </summary>
public sealed record HealthCheckPolicy
{
    /// <summary>The probe's config name: <see cref="HttpHealthProbe.ConfigName"/> or <see cref="TcpHealthProbe.ConfigName"/>.</summary>
    public string Type { get; init; } = HttpHealthProbe.ConfigName;
    public string Path { get; init; } = "/healthz";
    public string Method { get; init; } = "GET";
    /// <summary>The Host header sent; empty: the destination's address ("host:port" as configured).</summary>
    public string Host { get; init; } = "";
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Each wait between probes is <see cref="Interval"/> plus a random part of this; the first probe waits only that part.</summary>
    public TimeSpan Jitter { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    public int HealthyThreshold { get; init; } = 2;
    public int UnhealthyThreshold { get; init; } = 3;
    public int StatusMin { get; init; } = 200;
    public int StatusMax { get; init; } = 399;
    /// <summary>A substring the response body must contain; empty: the body is not read.</summary>
    public string ExpectBody { get; init; } = "";
    /// <summary>How long a recovered or newly added destination takes to reach its full share; zero: at once.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;

    public bool IsHttp => Type == HttpHealthProbe.ConfigName;

    /// <summary>"200-399", or "200" for a single status.</summary>
    public string ExpectStatus => StatusMin == StatusMax ? $"{StatusMin}" : $"{StatusMin}-{StatusMax}";
}
