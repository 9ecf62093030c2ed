namespace FastGate.Http;

public enum RequestTargetForm : byte
{
    /// <summary>"/path?query"</summary>
    Origin,
    /// <summary>"http://host/path?query"; forwarded as origin-form.</summary>
    Absolute,
    /// <summary>"*" (OPTIONS only).</summary>
    Asterisk,
    /// <summary>"host:port" (CONNECT only).</summary>
    Authority,
}
