using FastGate.Configuration;

namespace FastGate.Host.Admin;

/// <summary>The last reload that ran: when, why (signal, file_changed, admin), its result and, when it failed, its errors.</summary>
internal sealed record LastReloadReport(DateTimeOffset At, string Reason, string Result, int ConfigVersion, ConfigErrorReport[] Errors)
{
    public static LastReloadReport Of(ReloadAttempt attempt) => new(attempt.At,
        attempt.Reason switch
        {
            ReloadReason.Signal => "signal",
            ReloadReason.FileChanged => "file_changed",
            _ => "admin",
        },
        attempt.Result == ReloadOutcome.Failed ? "failed" : "ok",
        attempt.ConfigVersion,
        [.. attempt.Errors.Select(ConfigErrorReport.Of)]);
}
