using System.Diagnostics;

namespace FastGate.Health;

/// <summary>
/// Probes one destination under one policy: a one-shot timer per prober (no thread), re-armed when a probe ends, so
/// probes never overlap; each waits <c>interval</c> plus a random part of <c>jitter</c> (the first only the random part).
/// Replaced when the policy changes, stopped when the destination leaves the config.
/// </summary>
internal sealed class HealthProber : IDisposable
{
    private readonly Timer _timer;
    private readonly IHealthProbe _probe;
    private volatile bool _stopped;

    public HealthProber(DestinationHealth health, HealthCheckPolicy policy)
    {
        Health = health;
        Policy = policy;
        _probe = HealthProbeFactory.Create(policy);
        _timer = new Timer(static s => _ = ((HealthProber)s!).ProbeAsync(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public DestinationHealth Health { get; }

    public HealthCheckPolicy Policy { get; }

    public void Start() => Arm(TimeSpan.Zero);

    private void Arm(TimeSpan wait)
    {
        if (_stopped) return;
        var jitter = Policy.Jitter > TimeSpan.Zero ? TimeSpan.FromTicks(Random.Shared.NextInt64(Policy.Jitter.Ticks)) : TimeSpan.Zero;
        try { _timer.Change(wait + jitter, Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { /* stopped meanwhile */ }
    }

    private async Task ProbeAsync()
    {
        if (_stopped) return;
        var started = Stopwatch.GetTimestamp();
        ProbeResult result;
        using (var timeout = new CancellationTokenSource(Policy.Timeout))
        {
            try { result = await _probe.ProbeAsync(Health.Destination, timeout.Token); }
            catch (Exception e) { result = ProbeResult.Fail(e.GetType().Name); }
        }
        if (_stopped) return;
        Health.Record(result, Stopwatch.GetElapsedTime(started));
        Arm(Policy.Interval);
    }

    public void Dispose()
    {
        _stopped = true;
        _timer.Dispose();
    }
}
