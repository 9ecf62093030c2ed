using FastGate.Configuration;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// The access log and the error log of the running gateway: set up from the first config, changed by each reload
/// that changes their settings (a new output gets a new sink; the old one is drained and closed in the background),
/// and reopened on SIGUSR1 after logrotate moved their files.
/// </summary>
public sealed class GatewayLogs : IDisposable
{
    private readonly Lock _lock = new();
    private long _retiredAccessDropped;

    public GatewayLogs(GatewaySnapshot snapshot)
    {
        Log.Current.Apply(snapshot.ErrorLog);
        if (snapshot.AccessLog.Enabled) AccessObserver.Current = new AccessLog(snapshot.AccessLog, Log.Error);
    }

    public AccessLogObserver AccessObserver { get; } = new();

    public ErrorLogObserver ErrorObserver { get; } = new();

    public AccessLogOptions AccessLog => AccessObserver.Current?.Options ?? AccessLogOptions.Off;

    /// <summary>Access-log lines lost (full buffer, failed output) since start, across reloads.</summary>
    public long AccessLogDropped => Interlocked.Read(ref _retiredAccessDropped) + (AccessObserver.Current?.Dropped ?? 0);

    public long ErrorLogDropped => Log.Current.Dropped;

    public long ErrorLogSuppressed => Log.Current.Suppressed;

    /// <summary>Applies a reloaded config's log settings, telling what changed.</summary>
    public void Apply(GatewaySnapshot snapshot)
    {
        lock (_lock)
        {
            var error = Log.Current;
            if (error.Options != snapshot.ErrorLog)
            {
                error.Apply(snapshot.ErrorLog);
                Log.Notice($"error log: now {Describe(snapshot.ErrorLog)}");
            }
            var running = AccessObserver.Current;
            if ((running?.Options ?? AccessLogOptions.Off) == snapshot.AccessLog) return;
            AccessObserver.Current = snapshot.AccessLog.Enabled ? new AccessLog(snapshot.AccessLog, Log.Error) : null;
            Log.Notice($"access log: now {Describe(snapshot.AccessLog)}");
            if (running is null) return;
            Task.Run(() =>
            {
                running.Dispose();
                Interlocked.Add(ref _retiredAccessDropped, running.Dropped);
            });
        }
    }

    /// <summary>SIGUSR1: both logs close their files and open them again by name.</summary>
    public void Reopen()
    {
        Log.Notice("reopening log files: SIGUSR1");
        Log.Current.Reopen();
        AccessObserver.Current?.Reopen();
    }

    public static string Describe(AccessLogOptions options) =>
        options.Output is { } output ? $"{Name(options.Format)} to {output} (buffer {options.BufferBytes / 1024} KiB)" : "off";

    public static string Describe(ErrorLogOptions options) =>
        $"{ErrorEvents.LevelName(options.Level)} and above, {(options.Format == ErrorLogFormat.Json ? "json" : "plain")} to {options.Output}";

    private static string Name(AccessLogFormat format) => format == AccessLogFormat.Json ? "json" : "combined";

    /// <summary>Writes what both logs hold and closes their outputs.</summary>
    public void Dispose()
    {
        AccessObserver.Current?.Dispose();
        Log.Current.Dispose();
    }
}
