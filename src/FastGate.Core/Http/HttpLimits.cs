namespace FastGate.Http;

/// <summary>Parser and connection limits, and how request paths are normalised; one immutable instance per config snapshot.</summary>
public sealed record HttpLimits
{
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;
    public int MaxHeaderBytes { get; init; } = 32 * 1024;
    public int MaxHeaderCount { get; init; } = 100;
    /// <summary>Largest request body accepted; -1 means unlimited.</summary>
    public long MaxRequestBodyBytes { get; init; } = 100L * 1024 * 1024;
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(75);
    public int MaxResponseHeaderBytes { get; init; } = 64 * 1024;
    /// <summary>Longest a flush may wait for a peer (client or upstream) that does not take bytes; then it is aborted.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>What "%2F" and "%5C" in a path mean (<c>server.escaped_slashes</c>).</summary>
    public EscapedSlashHandling EscapedSlashes { get; init; } = EscapedSlashHandling.Reject;
    /// <summary>
    /// Whether "//" in a path is routed and forwarded as "/" (<c>server.merge_slashes</c>). Off by default, as in
    /// Envoy: the upstream then gets the target byte for byte, and what is routed is still what is forwarded.
    /// </summary>
    public bool MergeSlashes { get; init; }

    public static readonly HttpLimits Default = new();
}
