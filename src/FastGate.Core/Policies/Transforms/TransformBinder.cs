using FastGate.Configuration;

namespace FastGate.Policies.Transforms;

/// <summary>Binds <c>[policies.NAME] type = "transform"</c>.</summary>
internal static class TransformBinder
{
    internal static readonly string[] Keys = ["type", "request_headers", "response_headers", "path_regex", "query"];

    private static readonly string[] RequestHeaderKeys = ["set", "append", "remove"];
    private static readonly string[] ResponseHeaderKeys = ["set", "remove"];
    private static readonly string[] PathKeys = ["pattern", "replace"];
    private static readonly string[] QueryKeys = ["set", "remove"];

    public static TransformPolicy? Bind(ConfigReader reader, string name, string prefix, ConfigNode table)
    {
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, Keys);
        var children = table.Children;
        HeaderChange[] requestSet = [], requestAppend = [], responseSet = [];
        byte[][] requestRemove = [], responseRemove = [];

        if (children.TryGetValue("request_headers", out var node)
            && reader.TryTable(node, $"{prefix}.request_headers", RequestHeaderKeys, "{ set = { \"X-Gateway\" = \"fastgate\" }, append = { ... }, remove = [\"X-Debug\"] }"))
        {
            requestSet = Changes(reader, node, $"{prefix}.request_headers", "set");
            requestAppend = Changes(reader, node, $"{prefix}.request_headers", "append");
            requestRemove = Removals(reader, node, $"{prefix}.request_headers");
        }
        if (children.TryGetValue("response_headers", out node)
            && reader.TryTable(node, $"{prefix}.response_headers", ResponseHeaderKeys, "{ set = { \"X-Frame-Options\" = \"DENY\" }, remove = [\"Server\"] }"))
        {
            responseSet = Changes(reader, node, $"{prefix}.response_headers", "set");
            responseRemove = Removals(reader, node, $"{prefix}.response_headers");
        }

        PathRegex? path = null;
        if (children.TryGetValue("path_regex", out node)
            && reader.TryTable(node, $"{prefix}.path_regex", PathKeys, "{ pattern = \"^/v1/(.*)$\", replace = \"/$1\" }"))
        {
            var pattern = Text(reader, node, $"{prefix}.path_regex", "pattern");
            var replace = Text(reader, node, $"{prefix}.path_regex", "replace");
            if (pattern is not null && replace is not null)
            {
                path = PathRegex.Create(pattern, replace, out var error);
                if (path is null) reader.Error(node, $"{prefix}.path_regex", error);
            }
        }

        QueryRewriter? query = null;
        if (children.TryGetValue("query", out node)
            && reader.TryTable(node, $"{prefix}.query", QueryKeys, "{ set = { source = \"gateway\" }, remove = [\"debug\"] }"))
        {
            var set = Changes(reader, node, $"{prefix}.query", "set", parameter: true);
            var remove = node.Children.TryGetValue("remove", out var list) ? Parameters(reader, list, $"{prefix}.query.remove") : [];
            query = new QueryRewriter(set, remove);
        }
        return reader.ErrorCount != before ? null
            : new TransformPolicy(name, requestSet, requestAppend, requestRemove, responseSet, responseRemove, path, query) { Description = PolicyDescription.Of(table, Keys) };
    }

    private static string? Text(ConfigReader reader, ConfigNode table, string prefix, string key)
    {
        if (!table.Children.TryGetValue(key, out var node))
        {
            reader.Error(table, $"{prefix}.{key}", "required key is missing");
            return null;
        }
        return reader.TryString(node, $"{prefix}.{key}", out var text) ? text : null;
    }

    private static HeaderChange[] Changes(ConfigReader reader, ConfigNode table, string prefix, string key, bool parameter = false)
    {
        if (!table.Children.TryGetValue(key, out var node)) return [];
        var path = $"{prefix}.{key}";
        if (node.Kind != ConfigNodeKind.Table)
        {
            reader.Error(node, path, $"expected a table of {(parameter ? "parameter" : "header")} names and values, such as {{ \"X-Gateway\" = \"fastgate\" }}");
            return [];
        }
        var changes = new List<HeaderChange>();
        foreach (var (name, valueNode) in node.Children)
        {
            var itemKey = $"{path}.{name}";
            var bytes = parameter ? Parameter(reader, valueNode, itemKey, name) : HeaderName(reader, valueNode, itemKey, name);
            if (!reader.TryString(valueNode, itemKey, out var text) || bytes is null) continue;
            if (ValueTemplate.Parse(text, out var error) is { } template) changes.Add(new HeaderChange(bytes, template));
            else reader.Error(valueNode, itemKey, $"invalid value \"{text}\": {error}");
        }
        return [.. changes];
    }

    private static byte[][] Removals(ConfigReader reader, ConfigNode table, string prefix)
    {
        if (!table.Children.TryGetValue("remove", out var node) || !reader.TryStringList(node, $"{prefix}.remove", out var names)) return [];
        var result = new List<byte[]>();
        foreach (var (name, source) in names)
        {
            if (HeaderName(reader, source, $"{prefix}.remove", name) is { } bytes) result.Add(bytes);
        }
        return [.. result];
    }

    private static byte[]? HeaderName(ConfigReader reader, ConfigNode node, string key, string name)
    {
        if (PolicyConfig.HeaderName(reader, node, key, name) is not { } bytes) return null;
        if (!PolicyConfig.IsGatewayOwned(bytes)) return bytes;
        reader.Error(node, key, $"\"{name}\" is a header the gateway writes itself (framing, hop-by-hop, Host, X-Forwarded-*)");
        return null;
    }

    private static byte[][] Parameters(ConfigReader reader, ConfigNode node, string key)
    {
        if (!reader.TryStringList(node, key, out var names)) return [];
        var result = new List<byte[]>();
        foreach (var (name, source) in names)
        {
            if (Parameter(reader, source, key, name) is { } bytes) result.Add(bytes);
        }
        return [.. result];
    }

    /// <summary>Parameter names are RFC 3986 unreserved characters, so they never need encoding.</summary>
    private static byte[]? Parameter(ConfigReader reader, ConfigNode node, string key, string name)
    {
        if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            return System.Text.Encoding.ASCII.GetBytes(name);
        reader.Error(node, key, $"\"{name}\" is not a plain parameter name (letters, digits, '-', '.', '_', '~')");
        return null;
    }
}
