using System.Text;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>Binds one <c>[routes.NAME]</c> table against the clusters already bound.</summary>
internal static class RouteBinder
{
    private static readonly HttpMethod[] Methods = Array.FindAll(Enum.GetValues<HttpMethod>(), m => m != HttpMethod.Custom);
    private static readonly string[] MethodNames = Array.ConvertAll(Methods, m => m.ToString().ToUpperInvariant());

    /// <param name="declaredClusters">Every cluster name in the config, including ones that failed to bind.</param>
    /// <param name="clusters">The clusters that bound without errors.</param>
    public static Route? Bind(ConfigReader reader, string name, ConfigNode table,
        IReadOnlyCollection<string> declaredClusters, IReadOnlyDictionary<string, Cluster> clusters,
        IReadOnlyCollection<string>? declaredPolicies = null, IReadOnlyDictionary<string, Policies.IPolicyDefinition>? policies = null)
    {
        var prefix = $"{ConfigSchema.Routes}.{name}";
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, ConfigSchema.RouteKeys);
        var children = table.Children;

        Cluster? cluster = null;
        var clusterName = Required(reader, table, prefix, "cluster");
        if (clusterName is not null && !clusters.TryGetValue(clusterName, out cluster) && !declaredClusters.Contains(clusterName))
        {
            reader.Error(children["cluster"], $"{prefix}.cluster",
                $"unknown cluster \"{clusterName}\"{ConfigSchema.Suggest(clusterName, declaredClusters)}");
        }

        var path = Required(reader, table, prefix, "path");
        if (path is not null && !RoutePattern.TryParse(path, out _, out var pathError))
            reader.Error(children["path"], $"{prefix}.path", $"invalid path pattern \"{path}\": {pathError}");

        string? host = null;
        if (children.TryGetValue("host", out var node) && reader.TryString(node, $"{prefix}.host", out var hostText))
        {
            host = hostText;
            if (!HostPattern.TryParse(host, out _, out var hostError))
                reader.Error(node, $"{prefix}.host", $"invalid host pattern \"{host}\": {hostError}");
        }

        var methods = HttpMethodSet.Any;
        if (children.TryGetValue("methods", out node)) methods = BindMethods(reader, node, $"{prefix}.methods");

        var strip = Prefix(reader, table, prefix, "strip_prefix");
        var add = Prefix(reader, table, prefix, "add_prefix");

        var hostMode = HostHeaderMode.Keep;
        byte[] fixedHost = [];
        if (children.TryGetValue("host_header", out node) && reader.TryString(node, $"{prefix}.host_header", out var hostHeader))
        {
            if (hostHeader == "keep") hostMode = HostHeaderMode.Keep;
            else if (hostHeader == "destination") hostMode = HostHeaderMode.Destination;
            else if (hostHeader.Length == 0 || !IsHeaderValue(hostHeader))
                reader.Error(node, $"{prefix}.host_header", $"invalid host_header \"{hostHeader}\" (expected \"keep\", \"destination\" or a host name)");
            else
            {
                hostMode = HostHeaderMode.Fixed;
                fixedHost = Encoding.ASCII.GetBytes(hostHeader);
            }
        }

        Caching.RouteCacheOptions? cache = null;
        if (children.TryGetValue("cache", out node)) cache = CacheBinder.BindRoute(reader, $"{prefix}.cache", node);

        var timeouts = cluster is null ? null : TimeoutBinder.BindRoute(reader, prefix, table, cluster.Options.Timeouts);
        var routePolicies = children.TryGetValue("policies", out node)
            ? RoutePolicyBinder.Bind(reader, node, $"{prefix}.policies", name, declaredPolicies ?? [], policies ?? new Dictionary<string, Policies.IPolicyDefinition>())
            : Policies.RoutePolicies.None;
        if (reader.ErrorCount != before || cluster is null || path is null) return null;
        return new Route
        {
            Timeouts = timeouts!,
            Name = name,
            Host = host,
            Path = path,
            Methods = methods,
            Cluster = cluster,
            StripPrefix = strip,
            AddPrefix = add,
            HostHeader = hostMode,
            FixedHost = fixedHost,
            CacheOptions = cache,
            Policies = routePolicies,
        };
    }

    private static string? Required(ConfigReader reader, ConfigNode table, string prefix, string key)
    {
        if (!table.Children.TryGetValue(key, out var node))
        {
            reader.Error(table, $"{prefix}.{key}", "required key is missing");
            return null;
        }
        return reader.TryString(node, $"{prefix}.{key}", out var value) ? value : null;
    }

    internal static HttpMethodSet BindMethods(ConfigReader reader, ConfigNode node, string key)
    {
        if (!reader.TryStringList(node, key, out var names)) return HttpMethodSet.Any;
        if (names.Count == 0)
        {
            reader.Error(node, key, "empty method list (omit the key to allow every method)");
            return HttpMethodSet.Any;
        }
        ushort mask = 0;
        foreach (var (name, source) in names)
        {
            var index = Array.IndexOf(MethodNames, name);
            if (index < 0)
            {
                reader.Error(source, key, $"invalid method \"{name}\" (expected {string.Join(", ", MethodNames)})");
                continue;
            }
            mask |= (ushort)(1 << (int)Methods[index]);
        }
        return new HttpMethodSet(mask);
    }

    private static byte[] Prefix(ConfigReader reader, ConfigNode table, string prefix, string key)
    {
        if (!table.Children.TryGetValue(key, out var node) || !reader.TryString(node, $"{prefix}.{key}", out var value)) return [];
        if (value.Length == 0) return [];
        if (value[0] != '/' || value.AsSpan().IndexOfAny('?', '#') >= 0 || !IsHeaderValue(value) || value.Contains(' '))
        {
            reader.Error(node, $"{prefix}.{key}", $"invalid prefix \"{value}\" (must start with \"/\", no query, spaces or non-ASCII)");
            return [];
        }
        return Encoding.ASCII.GetBytes(value);
    }

    private static bool IsHeaderValue(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or >= (char)0x7f) return false;
        }
        return true;
    }
}
