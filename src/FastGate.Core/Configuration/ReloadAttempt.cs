namespace FastGate.Configuration;

/// <summary>
/// One reload that ran: when it started, what asked for it, how it went, the config version running after it
/// (the old one when it failed) and, when it failed, every error it found.
/// </summary>
public sealed record ReloadAttempt(DateTimeOffset At, ReloadReason Reason, ReloadOutcome Result, int ConfigVersion, IReadOnlyList<ConfigError> Errors);
