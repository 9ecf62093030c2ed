namespace FastGate.Proxy;

/// <summary>How one upstream attempt ended.</summary>
internal enum UpstreamOutcome : byte
{
    /// <summary>A final response head is in the context and its connection is leased: relay it.</summary>
    Response,
    /// <summary>A 101 to an upgrade request: the connections become a tunnel.</summary>
    Upgraded,
    /// <summary>A reused pooled connection turned out closed before anything was answered: safe to try a fresh one.</summary>
    Stale,
    /// <summary>No usable response; the context's <c>Error</c> says why (and whether the client can be told).</summary>
    Failed,
    /// <summary>The client went away (or stopped reading) while an interim response was relayed.</summary>
    ClientGone,
}
