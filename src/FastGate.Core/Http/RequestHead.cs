namespace FastGate.Http;

/// <summary>A parsed request head, reused for every request of a connection.</summary>
public sealed class RequestHead : MessageHead
{
    public HttpMethod Method { get; internal set; }
    internal int MethodLength;
    public RequestTargetForm TargetForm { get; internal set; }
    internal int TargetStart, TargetLength;
    internal int PathStart, PathLength;
    /// <summary>The query including its '?', or empty.</summary>
    internal int QueryStart, QueryLength;
    internal int AuthorityStart, AuthorityLength;
    internal int HostField;
    /// <summary>Length of the request line without its CRLF; 0 until a whole head was copied into the buffer.</summary>
    internal int FirstLineLength;

    public bool ExpectContinue { get; internal set; }
    /// <summary>The request asks to switch protocols (Connection: upgrade with an Upgrade field).</summary>
    public bool IsUpgrade { get; internal set; }
    internal int UpgradeField;

    public bool HasBody => Chunked || ContentLength > 0;

    public ReadOnlySpan<byte> MethodBytes => Buffer.AsSpan(0, MethodLength);
    /// <summary>The request-target as the client sent it.</summary>
    public ReadOnlySpan<byte> Target => Buffer.AsSpan(TargetStart, TargetLength);
    /// <summary>The normalised path: what is routed and what is forwarded (<see cref="PathNormalizer"/>).</summary>
    public ReadOnlySpan<byte> Path => Buffer.AsSpan(PathStart, PathLength);
    public ReadOnlySpan<byte> Query => Buffer.AsSpan(QueryStart, QueryLength);
    /// <summary>The request line as the client sent it, also when the parser refused it; empty when no whole head arrived.</summary>
    public ReadOnlySpan<byte> RequestLine => Buffer.AsSpan(0, FirstLineLength);
    public ReadOnlySpan<byte> UpgradeValue => UpgradeField >= 0 ? Value(UpgradeField) : default;

    /// <summary>The authority that names the target host: the absolute-form's, else the Host field's, else empty.</summary>
    public ReadOnlySpan<byte> Authority => AuthorityLength > 0
        ? Buffer.AsSpan(AuthorityStart, AuthorityLength)
        : HostField >= 0 ? Value(HostField) : default;

    internal override void Reset()
    {
        base.Reset();
        Method = HttpMethod.Custom;
        MethodLength = TargetStart = TargetLength = PathStart = PathLength = QueryStart = QueryLength = 0;
        AuthorityStart = AuthorityLength = FirstLineLength = 0;
        TargetForm = RequestTargetForm.Origin;
        HostField = UpgradeField = -1;
        ExpectContinue = IsUpgrade = false;
    }
}
