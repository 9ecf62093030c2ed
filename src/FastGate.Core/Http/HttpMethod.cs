namespace FastGate.Http;

/// <summary>Request methods the parser recognises by integer compare; anything else valid is <see cref="Custom"/>.</summary>
public enum HttpMethod : byte
{
    Custom = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Trace,
    Connect,
}

/// <summary>A set of methods as a bit mask, so a route's method check is one AND.</summary>
public readonly record struct HttpMethodSet(ushort Mask)
{
    public static readonly HttpMethodSet Any = new(ushort.MaxValue);

    /// <summary>Methods whose effect is the same when sent twice (RFC 9110 §9.2.2), so a failed attempt may be repeated.</summary>
    public static readonly HttpMethodSet Idempotent =
        Of(HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Trace, HttpMethod.Put, HttpMethod.Delete);

    public bool Contains(HttpMethod method) => (Mask & (1 << (int)method)) != 0;

    public bool IsAny => Mask == ushort.MaxValue;

    public static HttpMethodSet Of(params HttpMethod[] methods)
    {
        ushort mask = 0;
        foreach (var m in methods) mask |= (ushort)(1 << (int)m);
        return new HttpMethodSet(mask);
    }
}
