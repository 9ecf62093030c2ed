using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Policies.Cors;

/// <summary>
/// <c>type = "cors"</c>, per the Fetch standard's CORS protocol. A preflight (OPTIONS with Origin and
/// Access-Control-Request-Method) is answered here and never reaches the upstream: 204 with the allow headers
/// when origin, method and headers are allowed, else 403 without any CORS header. Other requests go upstream; the
/// response gets Access-Control-Allow-Origin (the origin echoed, or <c>*</c> for <c>allow_origins = ["*"]</c>
/// without credentials), -Allow-Credentials and -Expose-Headers when the origin is allowed, none when it is not
/// (the upstream's own are removed either way), and always <c>Vary: Origin</c>.
/// </summary>
public sealed class CorsPolicy : IPolicyDefinition, IRequestPolicy, IResponsePolicy
{
    public const string TypeName = "cors";

    private static readonly ValueTask<PolicyDecision> Continue = new(PolicyDecision.Continue);
    private static readonly ValueTask<PolicyDecision> Respond = new(PolicyDecision.Respond);

    private readonly OriginPattern[] _origins;
    private readonly bool _anyOrigin;
    private readonly bool _credentials;
    private readonly byte[][] _methods;
    private readonly byte[][] _headers;
    private readonly byte[] _allowMethods;
    private readonly byte[] _allowHeaders;
    private readonly byte[] _exposeHeaders;
    private readonly byte[] _maxAge;

    internal CorsPolicy(string name, OriginPattern[] origins, bool anyOrigin, bool credentials, byte[][] methods, byte[][] headers,
        byte[][] expose, TimeSpan? maxAge)
    {
        Name = name;
        _origins = origins;
        _anyOrigin = anyOrigin;
        _credentials = credentials;
        _methods = methods;
        _headers = headers;
        _allowMethods = Join(methods);
        _allowHeaders = Join(headers);
        _exposeHeaders = Join(expose);
        _maxAge = maxAge is { } age ? System.Text.Encoding.ASCII.GetBytes(((long)age.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)) : [];
    }

    public string Name { get; }
    public string Type => TypeName;

    internal System.Text.Json.Nodes.JsonObject Description { get; init; } = [];

    public System.Text.Json.Nodes.JsonObject Describe() => (System.Text.Json.Nodes.JsonObject)Description.DeepClone();

    public void Compile(string route, List<IRequestPolicy> request, List<IResponsePolicy> response)
    {
        request.Add(this);
        response.Add(this);
    }

    public ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context)
    {
        var head = context.Request;
        if (!IsPreflight(head, out var origin, out var method)) return Continue;
        var allowed = IsAllowed(origin) && MethodAllowed(method) && HeadersAllowed(head);
        context.Local.Set(allowed ? 204 : 403);
        var headers = context.Local.Headers;
        if (allowed)
        {
            AddOriginHeaders(headers, origin);
            headers.Add("Access-Control-Allow-Methods"u8, _allowMethods.Length > 0 ? _allowMethods : method);
            if (_allowHeaders.Length > 0) headers.Add("Access-Control-Allow-Headers"u8, _allowHeaders);
            if (_maxAge.Length > 0) headers.Add("Access-Control-Max-Age"u8, _maxAge);
        }
        headers.Add("Vary"u8, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"u8);
        return Respond;
    }

    public void OnResponse(ExchangeContext context)
    {
        var head = context.Request;
        if (IsPreflight(head, out _, out _)) return; // answered whole in phase 3
        var edits = context.ResponseEdits;
        edits.Remove("Access-Control-Allow-Origin"u8);
        edits.Remove("Access-Control-Allow-Credentials"u8);
        edits.Remove("Access-Control-Expose-Headers"u8);
        edits.Add("Vary"u8, "Origin"u8);
        if (!RequestFields.TryGetSingle(head, "Origin"u8, out var origin) || !IsAllowed(origin)) return;
        AddOriginHeaders(edits.Added, origin);
        if (_exposeHeaders.Length > 0) edits.Added.Add("Access-Control-Expose-Headers"u8, _exposeHeaders);
    }

    private void AddOriginHeaders(HeaderBlock headers, ReadOnlySpan<byte> origin)
    {
        headers.Add("Access-Control-Allow-Origin"u8, _anyOrigin && !_credentials ? "*"u8 : origin);
        if (_credentials) headers.Add("Access-Control-Allow-Credentials"u8, "true"u8);
    }

    private static bool IsPreflight(RequestHead head, out ReadOnlySpan<byte> origin, out ReadOnlySpan<byte> method)
    {
        method = default;
        origin = default;
        return head.Method == HttpMethod.Options
            && RequestFields.TryGetSingle(head, "Access-Control-Request-Method"u8, out method)
            && RequestFields.TryGetSingle(head, "Origin"u8, out origin);
    }

    internal bool IsAllowed(ReadOnlySpan<byte> origin)
    {
        if (origin.IsEmpty) return false;
        if (_anyOrigin) return true;
        foreach (var pattern in _origins)
        {
            if (pattern.Matches(origin)) return true;
        }
        return false;
    }

    /// <summary>Methods compare case-sensitively (Fetch); GET, HEAD and POST are CORS-safelisted and always allowed.</summary>
    private bool MethodAllowed(ReadOnlySpan<byte> method)
    {
        if (method.SequenceEqual("GET"u8) || method.SequenceEqual("HEAD"u8) || method.SequenceEqual("POST"u8)) return true;
        foreach (var allowed in _methods)
        {
            if (method.SequenceEqual(allowed)) return true;
        }
        return false;
    }

    /// <summary>Every name in Access-Control-Request-Headers must be in allow_headers (case-insensitive).</summary>
    private bool HeadersAllowed(RequestHead head)
    {
        for (var i = RequestFields.Find(head, "Access-Control-Request-Headers"u8); i >= 0; i = RequestFields.Find(head, "Access-Control-Request-Headers"u8, i + 1))
        {
            var list = head.Value(i);
            while (!list.IsEmpty)
            {
                var item = RequestFields.NextItem(ref list, (byte)',');
                if (!item.IsEmpty && !HeaderAllowed(item)) return false;
            }
        }
        return true;
    }

    private bool HeaderAllowed(ReadOnlySpan<byte> name)
    {
        foreach (var allowed in _headers)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, allowed)) return true;
        }
        return false;
    }

    private static byte[] Join(byte[][] items) => System.Text.Encoding.ASCII.GetBytes(string.Join(", ", items.Select(i => System.Text.Encoding.ASCII.GetString(i))));
}
