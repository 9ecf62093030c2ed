namespace FastGate.Discovery;

/// <summary>How one resolution of a host name ended, the <c>result</c> label of <c>fastgate_dns_resolutions_total</c>.</summary>
public enum DnsResult
{
    /// <summary>The same addresses as before.</summary>
    Unchanged,
    /// <summary>Other addresses: the cluster's destinations were reconciled.</summary>
    Changed,
    /// <summary>No answer, an error, or no address: the last good addresses are kept.</summary>
    Failed,
}

public static class DnsResults
{
    public const int Count = 3;

    public static readonly string[] Labels = ["unchanged", "changed", "failed"];
}
