using System.Net;
using FastGate.Proxy;
using FastGate.Telemetry;
using FastGate.Transport;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>
/// Hot reload: reads, validates and compiles the config file into a new snapshot, reconciles the upstream
/// runtime with it and publishes it with one atomic swap. Requests in flight finish on the snapshot they
/// started with. A config with errors changes nothing; each outcome is one line on the output writer.
/// </summary>
/// <remarks>
/// Listeners and the transport belong to the process, not to a snapshot: a change to them is reported as needing
/// a restart and otherwise ignored, while the rest of the reload applies.
/// </remarks>
public sealed class ConfigReloader
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly Func<IReadOnlyDictionary<string, string>> _environment;
    private readonly UpstreamRuntime _runtime;
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly IReadOnlyList<IPEndPoint> _runningListeners;
    private readonly TransportKind _runningTransport;
    private readonly IPEndPoint? _runningAdmin;
    private string? _lastText;
    private volatile ReloadOutcome _lastOutcome;
    private volatile ReloadAttempt? _lastAttempt;
    private IReadOnlyList<ConfigError> _lastErrors = [];
    private long _reloadsApplied;
    private long _reloadsFailed;

    /// <summary>Binds <paramref name="initial"/> to <paramref name="runtime"/> and publishes it as version 1.</summary>
    public ConfigReloader(string path, GatewaySnapshot initial, UpstreamRuntime runtime,
        Func<IReadOnlyDictionary<string, string>> environment, TextWriter output, TextWriter errors, RouteStatsRegistry? routeStats = null)
    {
        RouteStats = routeStats ?? new RouteStatsRegistry();
        _path = path;
        ConfigPath = Path.GetFullPath(path);
        _environment = environment;
        _runtime = runtime;
        _output = output;
        _errors = errors;
        _runningListeners = initial.Listeners;
        _runningTransport = initial.Transport;
        _runningAdmin = initial.Admin.Listen;
        runtime.Bind(initial.Clusters.Values);
        RouteStats.Bind(initial.Routes.Routes);
        Cache = new Caching.CacheRuntime(initial.Cache);
        Cache.Bind(initial.Cache, initial.Routes.Routes);
        Policies.RateLimiting.SharedLimits.Bind(null, initial, Cache);
        initial.Version = 1;
        initial.LoadedAt = DateTimeOffset.UtcNow;
        Snapshots = new SnapshotHolder(initial);
    }

    public SnapshotHolder Snapshots { get; }

    public GatewaySnapshot Current => Snapshots.Current;

    public ReloadOutcome LastOutcome => _lastOutcome;

    /// <summary>The last reload that ran (a file event that left the text unchanged is none), with its errors; null before the first.</summary>
    public ReloadAttempt? LastAttempt => _lastAttempt;

    /// <summary>The config file, as a full path.</summary>
    public string ConfigPath { get; }

    /// <summary>The upstream runtime each applied config is reconciled with (destination states, drains).</summary>
    public UpstreamRuntime Upstreams => _runtime;

    /// <summary>Per-route stats, handed to each config's routes as it is applied.</summary>
    public RouteStatsRegistry RouteStats { get; }

    /// <summary>The response cache's store and fills, kept across reloads; each config's cached routes are bound to it.</summary>
    public Caching.CacheRuntime Cache { get; }

    /// <summary>Raised (on the reloading thread, one reload at a time) with each config that was applied.</summary>
    public event Action<GatewaySnapshot>? Applied;

    /// <summary>Reloads applied since start (the initial config not counted).</summary>
    public long ReloadsApplied => Interlocked.Read(ref _reloadsApplied);

    /// <summary>Reloads refused because the new config had errors (the running config stays).</summary>
    public long ReloadsFailed => Interlocked.Read(ref _reloadsFailed);

    /// <summary>Reloads now (one reload at a time); returns the outcome, or <see cref="ReloadOutcome.None"/> when skipped.</summary>
    public ReloadOutcome Reload(ReloadReason reason)
    {
        lock (_lock)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var readError = ConfigLoader.ReadFile(_path, out var text);
            if (reason == ReloadReason.FileChanged && readError is null && text == _lastText) return ReloadOutcome.None;
            _lastText = readError is null ? text : null;
            _output.WriteLine(reason switch
            {
                ReloadReason.Signal => "reloading config: SIGHUP",
                ReloadReason.Admin => "reloading config: POST /admin/reload",
                _ => "reloading config: file changed",
            });

            var result = readError is null ? ConfigLoader.LoadText(text, _path, _environment()) : new ConfigResult(null, [readError]);
            _lastOutcome = result.Snapshot is { } snapshot ? Apply(snapshot) : Fail(result.Errors);
            _lastAttempt = new ReloadAttempt(startedAt, reason, _lastOutcome, Current.Version, _lastOutcome == ReloadOutcome.Failed ? _lastErrors : []);
            return _lastOutcome;
        }
    }

    private ReloadOutcome Apply(GatewaySnapshot next)
    {
        ReportRestartNeeded(next);
        BindResult bound;
        try
        {
            bound = _runtime.Bind(next.Clusters.Values);
        }
        catch (Exception ex)
        {
            return Fail([new ConfigError(_path, 0, "", $"cannot apply: {ex.Message}")]);
        }
        RouteStats.Bind(next.Routes.Routes);
        Cache.Bind(next.Cache, next.Routes.Routes);
        Policies.RateLimiting.RateLimitCarryOver.Apply(Current, next);
        Policies.RateLimiting.SharedLimits.Bind(Current, next, Cache);
        Policies.Jwt.JwtCarryOver.Apply(Current, next);
        next.Version = Current.Version + 1;
        next.LoadedAt = DateTimeOffset.UtcNow;
        Snapshots.Swap(next);
        Interlocked.Increment(ref _reloadsApplied);
        _output.WriteLine($"config reloaded: version {next.Version} (routes {next.Routes.Routes.Count}, " +
            $"clusters {next.Clusters.Count}, destinations +{bound.Added} -{bound.Removed})");
        Applied?.Invoke(next);
        return ReloadOutcome.Ok;
    }

    private ReloadOutcome Fail(IReadOnlyList<ConfigError> errors)
    {
        Interlocked.Increment(ref _reloadsFailed);
        _lastErrors = errors;
        _output.WriteLine($"config reload failed: {errors.Count} error(s)");
        foreach (var error in errors) _errors.WriteLine($"reload failed: {error}");
        return ReloadOutcome.Failed;
    }

    private void ReportRestartNeeded(GatewaySnapshot next)
    {
        if (!next.Listeners.SequenceEqual(_runningListeners))
        {
            _output.WriteLine($"config reload: server.listen changed to {string.Join(", ", next.Listeners)}: needs a restart, " +
                $"still listening on {string.Join(", ", _runningListeners)}");
        }
        if (!Equals(next.Admin.Listen, _runningAdmin))
        {
            _output.WriteLine($"config reload: admin.listen changed to {next.Admin.Listen?.ToString() ?? "off"}: needs a restart, " +
                $"still {_runningAdmin?.ToString() ?? "off"}");
        }
        if (next.Transport != _runningTransport)
        {
            _output.WriteLine($"config reload: server.transport changed to {Name(next.Transport)}: needs a restart, " +
                $"still on {Name(_runningTransport)}");
        }
    }

    private static string Name(TransportKind kind) => TransportSelection.Name(kind);
}
