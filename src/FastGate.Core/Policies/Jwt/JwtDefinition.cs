namespace FastGate.Policies.Jwt;

/// <summary>
/// <c>type = "jwt"</c>: its options, key source and validation cache, shared by every route that lists it (a token
/// valid for one is valid for all of them).
/// </summary>
public sealed class JwtDefinition : IPolicyDefinition
{
    public const string TypeName = "jwt";

    internal JwtDefinition(string name, JwtOptions options, IJwtKeySource source)
    {
        Name = name;
        Options = options;
        Source = source;
        Validator = new JwtValidator(options, source);
        var scope = options.RequiredScopes.Length > 0 ? $", scope=\"{string.Join(' ', options.RequiredScopes)}\"" : "";
        Forbidden = System.Text.Encoding.ASCII.GetBytes($"Bearer error=\"insufficient_scope\"{scope}");
    }

    public string Name { get; }
    public string Type => TypeName;

    internal JwtOptions Options { get; }
    internal IJwtKeySource Source { get; private set; }
    internal JwtValidator Validator { get; private set; }
    internal JwtCache Cache { get; private set; } = new();
    /// <summary>The WWW-Authenticate value of a 403.</summary>
    internal byte[] Forbidden { get; }

    internal System.Text.Json.Nodes.JsonObject Description { get; init; } = [];

    public System.Text.Json.Nodes.JsonObject Describe() => (System.Text.Json.Nodes.JsonObject)Description.DeepClone();

    /// <summary>
    /// Takes over an equal policy's JWKS source (its keys and refresh loop) and validation cache across a reload. Only
    /// for a jwks URL: a file or secret is read again, since its content may have changed while its key did not.
    /// </summary>
    internal bool TryAdopt(JwtDefinition previous)
    {
        if (Source is not JwksUrlSource || previous.Source is not JwksUrlSource
            || !System.Text.Json.Nodes.JsonNode.DeepEquals(Description, previous.Description)) return false;
        Source = previous.Source;
        Validator = previous.Validator;
        Cache = previous.Cache;
        return true;
    }

    public void Compile(string route, List<IRequestPolicy> request, List<IResponsePolicy> response) => request.Add(new JwtPolicy(this));
}
