namespace FastGate.Caching;

/// <summary>What the cache phase did with a request.</summary>
public enum CacheLookup : byte
{
    /// <summary>Not served from the cache: go upstream.</summary>
    Miss,
    /// <summary>Answered from stored bytes (the hook wrote the response to the client itself).</summary>
    Hit,
}
