using FastGate.Balancing;
using FastGate.Threading;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>Binds one <c>[clusters.NAME]</c> table into config only: pools and balancers are runtime state (<see cref="UpstreamRuntime"/>).</summary>
internal static class ClusterBinder
{
    public static Cluster? Bind(ConfigReader reader, string name, ConfigNode table)
    {
        var prefix = $"{ConfigSchema.Clusters}.{name}";
        var before = reader.ErrorCount;
        reader.CheckKeys(table, prefix, ConfigSchema.ClusterKeys);

        var options = new ClusterOptions();
        var children = table.Children;
        if (children.TryGetValue("max_connections", out var node) && reader.TryInt(node, $"{prefix}.max_connections", 1, 1_000_000, out var max))
            options = options with { MaxConnectionsPerDestination = max };
        if (children.TryGetValue("max_idle_connections", out node)
            && reader.TryInt(node, $"{prefix}.max_idle_connections", 0, BoundedStack<UpstreamConnection>.MaxCapacity, out var maxIdle))
            options = options with { MaxIdleConnectionsPerDestination = maxIdle };
        if (children.TryGetValue("idle_timeout", out node) && reader.TryDuration(node, $"{prefix}.idle_timeout", false, out var idle))
            options = options with { IdleTimeout = idle };
        if (children.TryGetValue("connect_timeout", out node) && reader.TryDuration(node, $"{prefix}.connect_timeout", false, out var connect))
            options = options with { ConnectTimeout = connect };
        if (children.TryGetValue("response_timeout", out node) && reader.TryDuration(node, $"{prefix}.response_timeout", false, out var response))
            options = options with { ResponseTimeout = response };

        var balancer = BalancerFactory.DefaultName;
        if (children.TryGetValue("balancer", out node) && reader.TryString(node, $"{prefix}.balancer", out balancer)
            && !BalancerFactory.Names.Contains(balancer))
        {
            reader.Error(node, $"{prefix}.balancer",
                $"unknown balancer \"{balancer}\" (expected {string.Join(", ", BalancerFactory.Names)})");
        }

        var destinations = BindDestinations(reader, prefix, table);
        if (reader.ErrorCount != before) return null;
        return new Cluster(name, destinations.ToArray(), balancer, options);
    }

    private static List<Destination> BindDestinations(ConfigReader reader, string prefix, ConfigNode table)
    {
        var key = $"{prefix}.destinations";
        var destinations = new List<Destination>();
        if (!table.Children.TryGetValue("destinations", out var node))
        {
            reader.Error(table, key, "cluster has no destinations (required key \"destinations\" is missing)");
            return destinations;
        }
        if (!reader.TryStringList(node, key, out var addresses)) return destinations;
        if (addresses.Count == 0)
        {
            reader.Error(node, key, "cluster has no destinations");
            return destinations;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (address, source) in addresses)
        {
            if (!AddressParser.TryResolveDestination(address, out var endPoint, out var error))
                reader.Error(source, key, $"bad address \"{address}\": {error}");
            else if (!seen.Add(address))
                reader.Error(source, key, $"duplicate destination \"{address}\"");
            else
                destinations.Add(new Destination(address.Trim(), endPoint));
        }
        return destinations;
    }
}
