namespace FastGate.Upstreams;

/// <summary>What <see cref="UpstreamRuntime.SetDraining"/> found.</summary>
public enum DrainResult : byte
{
    /// <summary>The destination drains, or no longer drains, as asked.</summary>
    Done,
    /// <summary>The current config has no cluster of that name.</summary>
    UnknownCluster,
    /// <summary>The cluster lists no destination of that address.</summary>
    UnknownDestination,
}
