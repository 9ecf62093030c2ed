using System.Diagnostics;
using FastGate.Configuration;
using FastGate.Transport;

namespace FastGate.Telemetry;

/// <summary>
/// Writes one line of process statistics per interval: request rate, open connections, the bytes the whole
/// process allocated per request over the interval (the steady-state hot path should add close to none), the
/// timers armed in the process (deadlines are not timers, so this does not grow with connections or requests),
/// and which config version runs. A zero interval writes nothing until <see cref="Interval"/> is set.
/// </summary>
public sealed class StatsReporter : IDisposable
{
    private readonly GatewayStats _stats;
    private readonly ConfigReloader _config;
    private readonly TextWriter _output;
    private readonly Timer _timer;
    private long _lastRequests;
    private long _lastAllocated;
    private long _lastTimestamp;

    private TimeSpan _interval;

    public StatsReporter(GatewayStats stats, ConfigReloader config, TimeSpan interval, TextWriter output)
    {
        _stats = stats;
        _config = config;
        _output = output;
        _lastAllocated = GC.GetTotalAllocatedBytes(precise: true);
        _lastTimestamp = Stopwatch.GetTimestamp();
        _timer = new Timer(static s => ((StatsReporter)s!).Report(), this, Timeout.Infinite, Timeout.Infinite);
        Interval = interval;
    }

    /// <summary>How often a line is written; zero stops the lines. A reload may change it.</summary>
    public TimeSpan Interval
    {
        get => _interval;
        set
        {
            if (value == _interval) return;
            _interval = value;
            var period = value > TimeSpan.Zero ? value : Timeout.InfiniteTimeSpan;
            _timer.Change(period, period);
        }
    }

    private void Report()
    {
        // Read the counters before formatting, so this line's own allocations land in the next window.
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var requests = _stats.Requests;
        var now = Stopwatch.GetTimestamp();
        var window = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        var deltaRequests = requests - _lastRequests;
        var perRequest = deltaRequests > 0 ? (allocated - _lastAllocated) / (double)deltaRequests : 0;
        _lastRequests = requests;
        _lastAllocated = allocated;
        _lastTimestamp = now;

        using var process = Process.GetCurrentProcess();
        _output.WriteLine(
            $"stats: requests={requests} rate={deltaRequests / window:F0}/s connections={_stats.OpenConnections} " +
            $"alloc_per_request={perRequest:F1}B gc0={GC.CollectionCount(0)} gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} " +
            $"heap={GC.GetTotalMemory(false) / 1048576.0:F1}MB rss={process.WorkingSet64 / 1048576.0:F1}MB " +
            $"blocks={PinnedBlockMemoryPool.Instance.Created}/{PinnedBlockMemoryPool.Instance.Free}free timers={Timer.ActiveCount} " +
            $"config_version={_config.Current.Version} last_reload={_config.LastOutcome.ToString().ToLowerInvariant()}");
        _output.Flush();
    }

    public void Dispose() => _timer.Dispose();
}
