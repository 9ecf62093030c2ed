using System.Text.Json.Nodes;
using FastGate.Configuration;

namespace FastGate.Host.Admin;

/// <summary><c>/admin/config</c>: the running config (<see cref="EffectiveConfig"/>, secrets masked), where and when it was loaded, and the last reload.</summary>
internal sealed record ConfigReport(int ConfigVersion, DateTimeOffset LoadedAt, string File, JsonObject Config, LastReloadReport? LastReload)
{
    public static ConfigReport Of(ConfigReloader config)
    {
        var snapshot = config.Current;
        var attempt = config.LastAttempt;
        return new ConfigReport(snapshot.Version, snapshot.LoadedAt, config.ConfigPath, EffectiveConfig.Describe(snapshot),
            attempt is null ? null : LastReloadReport.Of(attempt));
    }
}
