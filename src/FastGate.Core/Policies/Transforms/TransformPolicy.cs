using FastGate.Proxy;

namespace FastGate.Policies.Transforms;

/// <summary>
/// <c>type = "transform"</c>: request headers set / append / remove, the path rewritten by a regex, query
/// parameters set / remove (phase 3, into <see cref="ExchangeContext.RequestEdits"/>), and response headers set /
/// remove (phase 6). A set header whose rendered value holds a byte not allowed in a field value is dropped: it is
/// not sent, and the client's own copies are still removed.
/// </summary>
public sealed class TransformPolicy : IPolicyDefinition, IRequestPolicy, IResponsePolicy
{
    public const string TypeName = "transform";

    private static readonly ValueTask<PolicyDecision> Continue = new(PolicyDecision.Continue);

    private readonly HeaderChange[] _requestSet;
    private readonly HeaderChange[] _requestAppend;
    private readonly byte[][] _requestRemove;
    private readonly HeaderChange[] _responseSet;
    private readonly byte[][] _responseRemove;
    private readonly PathRegex? _path;
    private readonly QueryRewriter? _query;

    internal TransformPolicy(string name, HeaderChange[] requestSet, HeaderChange[] requestAppend, byte[][] requestRemove,
        HeaderChange[] responseSet, byte[][] responseRemove, PathRegex? path, QueryRewriter? query)
    {
        Name = name;
        _requestSet = requestSet;
        _requestAppend = requestAppend;
        _requestRemove = requestRemove;
        _responseSet = responseSet;
        _responseRemove = responseRemove;
        _path = path;
        _query = query;
    }

    public string Name { get; }
    public string Type => TypeName;

    internal System.Text.Json.Nodes.JsonObject Description { get; init; } = [];

    public System.Text.Json.Nodes.JsonObject Describe() => (System.Text.Json.Nodes.JsonObject)Description.DeepClone();

    public void Compile(string route, List<IRequestPolicy> request, List<IResponsePolicy> response)
    {
        if (_requestSet.Length + _requestAppend.Length + _requestRemove.Length > 0 || _path is not null || _query is not null) request.Add(this);
        if (_responseSet.Length + _responseRemove.Length > 0) response.Add(this);
    }

    public ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context)
    {
        var head = context.Request;
        var edits = context.RequestEdits;
        foreach (var name in _requestRemove) Drop(head, name);
        foreach (var change in _requestSet)
        {
            Drop(head, change.Name);
            if (change.Value.TryRender(context, out var value)) edits.Added.Add(change.Name, value);
        }
        foreach (var change in _requestAppend)
        {
            if (change.Value.TryRender(context, out var value)) edits.Added.Add(change.Name, value);
        }
        _path?.Apply(edits.HasPath ? edits.Path : head.Path, edits);
        _query?.Apply(context, edits);
        return Continue;
    }

    public void OnResponse(ExchangeContext context)
    {
        var edits = context.ResponseEdits;
        foreach (var name in _responseRemove) edits.Remove(name);
        foreach (var change in _responseSet)
        {
            edits.Remove(change.Name);
            if (change.Value.TryRender(context, out var value)) edits.Add(change.Name, value);
        }
    }

    private static void Drop(Http.RequestHead head, byte[] name)
    {
        for (var i = RequestFields.Find(head, name); i >= 0; i = RequestFields.Find(head, name, i + 1)) head.Field(i).Drop = true;
    }
}
