namespace FastGate.Proxy;

/// <summary>How an exchange ended, as observers see it.</summary>
public enum ExchangeOutcome : byte
{
    /// <summary>Still running (never seen by observers).</summary>
    Pending,
    /// <summary>An upstream response was relayed whole.</summary>
    Proxied,
    /// <summary>The gateway answered itself: an error status, or a policy or cache that answered locally.</summary>
    Local,
    /// <summary>A 101 turned both connections into a tunnel, which has now ended.</summary>
    Tunnelled,
    /// <summary>The exchange ended without a complete response: the client left, a side timed out, or the upstream failed mid-body.</summary>
    Aborted,
}
