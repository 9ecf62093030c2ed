namespace FastGate.Configuration;

/// <summary>What asked for a reload.</summary>
public enum ReloadReason : byte
{
    /// <summary>SIGHUP: always reloads, even when the file is unchanged (host names are resolved again).</summary>
    Signal,
    /// <summary>The watched config file changed (<c>server.watch_config</c>): skipped when its text is unchanged.</summary>
    FileChanged,
    /// <summary><c>POST /admin/reload</c>.</summary>
    Admin,
}
