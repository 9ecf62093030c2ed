namespace FastGate.Http;

/// <summary>How a response body is delimited (RFC 9112 §6.3).</summary>
public enum ResponseFraming : byte
{
    /// <summary>HEAD, 1xx, 204, 304: no body whatever the fields say.</summary>
    None,
    ContentLength,
    Chunked,
    /// <summary>The body runs until the upstream closes the connection.</summary>
    CloseDelimited,
}
