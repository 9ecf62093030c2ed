namespace FastGate.Http;

/// <summary>One header field as offsets into its head's buffer.</summary>
public struct HeaderField
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
    public KnownHeader Known;
    /// <summary>Not forwarded: a hop-by-hop field, or one named in Connection.</summary>
    public bool Drop;
}
