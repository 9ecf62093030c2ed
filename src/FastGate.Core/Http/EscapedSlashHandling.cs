namespace FastGate.Http;

/// <summary>What an encoded slash or backslash (<c>%2F</c>, <c>%5C</c>) in a request path means (<c>server.escaped_slashes</c>).</summary>
public enum EscapedSlashHandling : byte
{
    /// <summary>400: an upstream that decodes it could see another path than the one that was routed.</summary>
    Reject,
    /// <summary>Left encoded, an ordinary character inside its segment (not a separator).</summary>
    Keep,
    /// <summary>Turned into "/" before dot segments are removed.</summary>
    Decode,
}
