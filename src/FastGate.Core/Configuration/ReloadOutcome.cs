namespace FastGate.Configuration;

/// <summary>How the last reload went, for the stats line (<c>last_reload=none|ok|failed</c>).</summary>
public enum ReloadOutcome : byte
{
    None,
    Ok,
    Failed,
}
