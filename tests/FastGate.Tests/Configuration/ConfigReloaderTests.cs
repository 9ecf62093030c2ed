using FastGate.Configuration;
using FastGate.Upstreams;

namespace FastGate.Tests.Configuration;

/// <summary>ConfigReloader on a real file, with its output captured.</summary>
public sealed class ConfigReloaderTests : IDisposable
{
    private const string Listen = "[server]\nlisten = [\"127.0.0.1:0\"]\n";

    private const string Routes = """
        [clusters.a]
        destinations = ["127.0.0.1:9001"]
        [clusters.b]
        destinations = ["127.0.0.1:9002"]
        [routes.flip]
        path = "/flip"
        cluster = "a"
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"fastgate-reload-{Guid.NewGuid():N}.toml");
    private readonly UpstreamRuntime _runtime = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _errors = new();
    private readonly Dictionary<string, string> _environment = new();
    private readonly ConfigReloader _reloader;

    public ConfigReloaderTests()
    {
        File.WriteAllText(_path, Listen + Routes);
        var initial = ConfigLoader.LoadFile(_path).Snapshot!;
        _reloader = new ConfigReloader(_path, initial, _runtime, () => _environment, _output, _errors);
    }

    public void Dispose()
    {
        _runtime.Dispose();
        File.Delete(_path);
    }

    private string[] OutputLines => _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string FlipCluster => _reloader.Current.Routes.Routes.Single(r => r.Name == "flip").Cluster.Name;

    [Fact]
    public void The_first_snapshot_is_version_1_and_bound()
    {
        Assert.Equal(1, _reloader.Current.Version);
        Assert.Equal(ReloadOutcome.None, _reloader.LastOutcome);
        Assert.True(_reloader.Current.Clusters["a"].IsBound);
    }

    [Fact]
    public void A_valid_reload_swaps_the_snapshot_and_reports_what_changed()
    {
        var before = _reloader.Current;
        File.WriteAllText(_path, Listen + Routes.Replace("cluster = \"a\"", "cluster = \"b\"") + """

            [clusters.c]
            destinations = ["127.0.0.1:9003"]
            [routes.extra]
            path = "/extra"
            cluster = "c"
            """);

        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.Signal));

        Assert.NotSame(before, _reloader.Current);
        Assert.Equal(2, _reloader.Current.Version);
        Assert.Equal("b", FlipCluster);
        Assert.Equal("a", before.Routes.Routes.Single(r => r.Name == "flip").Cluster.Name); // the old snapshot is untouched
        Assert.Same(before.Clusters["a"].DestinationStates[0], _reloader.Current.Clusters["a"].DestinationStates[0]);
        Assert.Equal(["reloading config: SIGHUP", "config reloaded: version 2 (routes 2, clusters 3, destinations +1 -0)"], OutputLines);
        Assert.Equal("", _errors.ToString());
        Assert.Equal(ReloadOutcome.Ok, _reloader.LastOutcome);
    }

    [Fact]
    public void An_invalid_file_changes_nothing_and_every_error_names_file_line_and_key()
    {
        var before = _reloader.Current;
        File.WriteAllText(_path, Listen + "[limits]\nheader_timeout = \"10 parsecs\"\n" + Routes.Replace("cluster = \"a\"", "cluster = \"missing\""));

        Assert.Equal(ReloadOutcome.Failed, _reloader.Reload(ReloadReason.Signal));

        Assert.Same(before, _reloader.Current);
        Assert.Equal(1, _reloader.Current.Version);
        Assert.Equal(["reloading config: SIGHUP", "config reload failed: 2 error(s)"], OutputLines);
        var errors = _errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, errors.Length);
        Assert.StartsWith($"reload failed: {_path}:4: limits.header_timeout: bad duration \"10 parsecs\"", errors[0]);
        Assert.StartsWith($"reload failed: {_path}:11: routes.flip.cluster: unknown cluster \"missing\"", errors[1]);
        Assert.Equal(ReloadOutcome.Failed, _reloader.LastOutcome);
    }

    [Fact]
    public void A_missing_file_is_a_failed_reload()
    {
        File.Delete(_path);
        Assert.Equal(ReloadOutcome.Failed, _reloader.Reload(ReloadReason.FileChanged));
        Assert.Equal($"reload failed: {_path}: file not found", _errors.ToString().Trim());
        Assert.Equal(1, _reloader.Current.Version);
    }

    [Fact]
    public void A_listen_or_transport_change_needs_a_restart_and_the_rest_still_applies()
    {
        File.WriteAllText(_path, "[server]\nlisten = [\"127.0.0.1:1234\"]\ntransport = \"sockets\"\n" + Routes.Replace("cluster = \"a\"", "cluster = \"b\""));

        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.Signal));

        Assert.Equal("b", FlipCluster);
        Assert.Contains("config reload: server.listen changed to 127.0.0.1:1234: needs a restart, still listening on 127.0.0.1:0", OutputLines);
        Assert.Contains(OutputLines, l => l.StartsWith("config reload: server.transport changed to sockets: needs a restart", StringComparison.Ordinal));
        Assert.Contains("config reloaded: version 2 (routes 1, clusters 2, destinations +0 -0)", OutputLines);
    }

    [Fact]
    public void A_file_event_without_a_change_is_skipped_but_SIGHUP_always_reloads()
    {
        File.WriteAllText(_path, Listen + Routes.Replace("cluster = \"a\"", "cluster = \"b\""));
        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.FileChanged));
        Assert.Equal(ReloadOutcome.None, _reloader.Reload(ReloadReason.FileChanged));
        Assert.Equal(2, _reloader.Current.Version);

        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.Signal));
        Assert.Equal(3, _reloader.Current.Version);
        Assert.Equal(
            ["reloading config: file changed", "config reloaded: version 2 (routes 1, clusters 2, destinations +0 -0)",
             "reloading config: SIGHUP", "config reloaded: version 3 (routes 1, clusters 2, destinations +0 -0)"],
            OutputLines);
    }

    [Fact]
    public void Environment_overrides_apply_on_reload()
    {
        _environment["FASTGATE_ROUTES__FLIP__CLUSTER"] = "b";
        _environment["FASTGATE_LIMITS__HEADER_TIMEOUT"] = "3s";
        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.Signal));
        Assert.Equal("b", FlipCluster);
        Assert.Equal(TimeSpan.FromSeconds(3), _reloader.Current.Limits.HeaderTimeout);
    }

    [Fact]
    public void A_removed_cluster_drains_its_destinations()
    {
        var b = _reloader.Current.Clusters["b"].DestinationStates[0];
        File.WriteAllText(_path, Listen + Routes[..Routes.IndexOf("[clusters.b]", StringComparison.Ordinal)] + "[routes.flip]\npath = \"/flip\"\ncluster = \"a\"\n");

        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.Signal));

        Assert.Contains("config reloaded: version 2 (routes 1, clusters 1, destinations +0 -1)", OutputLines);
        Assert.True(b.Draining);
    }

    [Fact]
    public void The_last_attempt_keeps_reason_result_and_the_errors_of_a_failed_reload_while_the_old_config_runs()
    {
        Assert.Null(_reloader.LastAttempt);
        var loaded = _reloader.Current.LoadedAt;
        Assert.NotEqual(default, loaded);

        File.WriteAllText(_path, Listen + "[limits]\nheader_timeout = \"10 parsecs\"\n" + Routes);
        Assert.Equal(ReloadOutcome.Failed, _reloader.Reload(ReloadReason.Admin));
        var failed = _reloader.LastAttempt!;
        Assert.Equal((ReloadReason.Admin, ReloadOutcome.Failed, 1), (failed.Reason, failed.Result, failed.ConfigVersion));
        var error = Assert.Single(failed.Errors);
        Assert.Equal((_path, 4, "limits.header_timeout"), (error.File, error.Line, error.Key));
        Assert.Equal(loaded, _reloader.Current.LoadedAt);

        File.WriteAllText(_path, Listen + Routes);
        Assert.Equal(ReloadOutcome.Ok, _reloader.Reload(ReloadReason.FileChanged));
        var ok = _reloader.LastAttempt!;
        Assert.Equal((ReloadReason.FileChanged, ReloadOutcome.Ok, 2), (ok.Reason, ok.Result, ok.ConfigVersion));
        Assert.Empty(ok.Errors);
        Assert.True(ok.At >= failed.At && _reloader.Current.LoadedAt >= ok.At);

        // A file event that changed nothing is no attempt.
        Assert.Equal(ReloadOutcome.None, _reloader.Reload(ReloadReason.FileChanged));
        Assert.Same(ok, _reloader.LastAttempt);
    }
}
