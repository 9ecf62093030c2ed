using System.Text;
using FastGate.Configuration;

namespace FastGate.Policies.Jwt;

/// <summary>Binds <c>[policies.NAME] type = "jwt"</c>; the algorithms must fit the key source (never HS with a public key).</summary>
internal static class JwtBinder
{
    internal static readonly string[] Keys =
    [
        "type", "issuer", "audience", "algorithms", "secret", "public_key_file", "jwks_file", "jwks", "jwks_refresh", "clock_skew",
        "required_claims", "required_scopes", "forward_claims", "token_cookie",
    ];


    public static JwtDefinition? Bind(ConfigReader reader, string name, string prefix, ConfigNode table)
    {
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, Keys);
        var children = table.Children;

        string? issuer = null;
        if (children.TryGetValue("issuer", out var node) && reader.TryString(node, $"{prefix}.issuer", out var text))
        {
            if (text.Length == 0) reader.Error(node, $"{prefix}.issuer", "empty issuer: leave the key out to accept any iss");
            issuer = text;
        }
        var audiences = children.TryGetValue("audience", out node) ? StringOrList(reader, node, $"{prefix}.audience") : [];
        var algorithms = Algorithms(reader, table, prefix);

        var skew = TimeSpan.FromSeconds(30);
        if (children.TryGetValue("clock_skew", out node) && reader.TryDuration(node, $"{prefix}.clock_skew", true, out var configured))
        {
            if (configured > TimeSpan.FromMinutes(10)) reader.Error(node, $"{prefix}.clock_skew", "at most 10m");
            skew = configured;
        }
        var claims = children.TryGetValue("required_claims", out node) ? StringOrList(reader, node, $"{prefix}.required_claims") : [];
        var scopes = children.TryGetValue("required_scopes", out node) ? StringOrList(reader, node, $"{prefix}.required_scopes") : [];
        foreach (var scope in scopes)
        {
            if (scope.Length == 0 || scope.Any(c => c <= ' ' || c > '~' || c is '"' or '\\'))
                reader.Error(node!, $"{prefix}.required_scopes", $"\"{scope}\" is not a scope token (RFC 6749 3.3: printable ASCII without space, '\"' or '\\\\')");
        }
        var forward = Forward(reader, children, prefix);

        byte[]? cookie = null;
        if (children.TryGetValue("token_cookie", out node) && reader.TryString(node, $"{prefix}.token_cookie", out text))
        {
            if (text.Length == 0 || text.Any(c => c > 0x7e) || !Http.HttpChars.IsToken(Encoding.ASCII.GetBytes(text)))
                reader.Error(node, $"{prefix}.token_cookie", $"\"{text}\" is not a cookie name (a token: letters, digits and !#$%&'*+-.^_`|~)");
            else cookie = Encoding.ASCII.GetBytes(text);
        }

        var source = JwtSourceBinder.Bind(reader, table, prefix, algorithms);
        if (reader.ErrorCount != before || source is null) return null;
        var options = new JwtOptions(issuer, audiences, algorithms, skew, claims, scopes, forward, cookie);
        return new JwtDefinition(name, options, source) { Description = PolicyDescription.Of(table, Keys) };
    }

    private static string[] Algorithms(ConfigReader reader, ConfigNode table, string prefix)
    {
        var key = $"{prefix}.algorithms";
        if (!table.Children.TryGetValue("algorithms", out var node))
        {
            reader.Error(table, key, $"required key is missing: the algorithms tokens may use, e.g. [\"RS256\"] (from {string.Join(", ", JwtAlgorithms.Names)})");
            return [];
        }
        if (!reader.TryStringList(node, key, out var items)) return [];
        if (items.Count == 0) reader.Error(node, key, "empty list: no token could be valid");
        var result = new List<string>();
        foreach (var (alg, source) in items)
        {
            if (alg.Equals("none", StringComparison.OrdinalIgnoreCase))
                reader.Error(source, key, "\"none\" is never accepted: an unsigned token proves nothing");
            else if (!JwtAlgorithms.IsKnown(alg))
                reader.Error(source, key, $"unknown algorithm \"{alg}\"{ConfigSchema.Suggest(alg, JwtAlgorithms.Names)} (expected {string.Join(", ", JwtAlgorithms.Names)})");
            else if (!result.Contains(alg)) result.Add(alg);
        }
        return [.. result];
    }

    private static JwtForward[] Forward(ConfigReader reader, OrderedDictionary<string, ConfigNode> children, string prefix)
    {
        if (!children.TryGetValue("forward_claims", out var node)) return [];
        var key = $"{prefix}.forward_claims";
        if (node.Kind != ConfigNodeKind.Table)
        {
            reader.Error(node, key, "expected a table of claim names and header names, such as { sub = \"X-User-Id\" }");
            return [];
        }
        var result = new List<JwtForward>();
        foreach (var (claim, headerNode) in node.Children)
        {
            var itemKey = $"{key}.{claim}";
            if (!reader.TryString(headerNode, itemKey, out var header)) continue;
            if (PolicyConfig.HeaderName(reader, headerNode, itemKey, header) is not { } bytes) continue;
            if (PolicyConfig.IsGatewayOwned(bytes) || System.Text.Ascii.EqualsIgnoreCase(bytes, "Authorization"u8) || System.Text.Ascii.EqualsIgnoreCase(bytes, "Cookie"u8))
                reader.Error(headerNode, itemKey, $"\"{header}\" cannot carry a claim (the gateway writes it, or it holds the token)");
            else result.Add(new JwtForward(claim, Encoding.UTF8.GetBytes(claim), bytes));
        }
        return [.. result];
    }

    internal static string[] StringOrList(ConfigReader reader, ConfigNode node, string key)
    {
        if (node.Kind == ConfigNodeKind.String) return [node.Text];
        if (!reader.TryStringList(node, key, out var items)) return [];
        return [.. items.Select(i => i.Value)];
    }

}
