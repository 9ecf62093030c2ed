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

    /// <summary>Response bytes held in memory for a client that reads slower than the upstream sends.</summary>
    public int ResponseBuffer { get; init; } = 64 * 1024;
    /// <summary>Whether a response larger than <see cref="ResponseBuffer"/> spills to a temporary file for a slow client.</summary>
    public bool Spool { get; init; } = true;
    /// <summary>Where spool files are made (they are unlinked at once, so a crash leaves nothing behind).</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();
    public long MaxSpoolPerResponse { get; init; } = 1L << 30;
    /// <summary>Spool bytes on disk across all responses; past it, responses stream with back-pressure.</summary>
    public long MaxSpoolTotal { get; init; } = 16L << 30;
    /// <summary>Request body bytes (or the whole body, when smaller) that must arrive before an upstream is leased.</summary>
    public int RequestBuffer { get; init; } = 64 * 1024;
    /// <summary>Slowest request body accepted, in bytes per second of waiting, after <see cref="MinRequestBodyRateGrace"/>; 0 = none.</summary>
    public int MinRequestBodyRate { get; init; } = 240;
    public TimeSpan MinRequestBodyRateGrace { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>After an answer that left request bytes unread: how long the rest is drained in total, and per read.</summary>
    public TimeSpan LingeringTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan LingeringTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public long MaxLingeringBytes { get; init; } = 256L << 20;

    public static readonly HttpLimits Default = new();
}
