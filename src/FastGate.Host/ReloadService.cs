using System.Runtime.InteropServices;
using System.Threading.Channels;
using FastGate.Configuration;
using FastGate.Telemetry;
using FastGate.Telemetry.Logging;

namespace FastGate.Host;

/// <summary>
/// Hot reload wiring: SIGHUP, and changes to the config file while <c>server.watch_config</c> is on, queue a
/// reload; one background task runs them one at a time, off the hot path. Every applied config, whatever asked
/// for it (<c>POST /admin/reload</c> too), then goes through <see cref="ApplyHostSettings"/>: the settings the
/// host itself reads (the watch itself, the stats interval).
/// </summary>
internal sealed class ReloadService : IAsyncDisposable
{
    private readonly ConfigReloader _reloader;
    private readonly StatsReporter _stats;
    private readonly ConfigFileWatcher _watcher;
    private readonly PosixSignalRegistration _sighup;
    private readonly Channel<ReloadReason> _requests =
        Channel.CreateBounded<ReloadReason>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _loop;

    public ReloadService(ConfigReloader reloader, string configPath, StatsReporter stats)
    {
        _reloader = reloader;
        _stats = stats;
        _watcher = new ConfigFileWatcher(configPath, () => _requests.Writer.TryWrite(ReloadReason.FileChanged));
        Watch(reloader.Current.WatchConfig);
        reloader.Applied += ApplyHostSettings;
        InheritedSignals.Reclaim(InheritedSignals.SigHup);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSighup);
        _loop = Task.Run(RunAsync);
    }

    private void OnSighup(PosixSignalContext context)
    {
        context.Cancel = true; // SIGHUP would otherwise end the process
        _requests.Writer.TryWrite(ReloadReason.Signal);
    }

    private async Task RunAsync()
    {
        await foreach (var reason in _requests.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _reloader.Reload(reason);
            }
            catch (Exception ex)
            {
                Log.Error($"config reload failed: {ex.Message}");
            }
        }
    }

    /// <summary>The one post-reload step of every reload path, run by the reloader (one reload at a time) with the config it applied.</summary>
    private void ApplyHostSettings(GatewaySnapshot applied)
    {
        Watch(applied.WatchConfig);
        _stats.Interval = applied.StatsInterval;
    }

    private void Watch(bool enabled)
    {
        try
        {
            _watcher.Enabled = enabled;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Log.Warn($"cannot watch the config file ({ex.Message}); SIGHUP still reloads");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reloader.Applied -= ApplyHostSettings;
        _sighup.Dispose();
        _watcher.Dispose();
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
