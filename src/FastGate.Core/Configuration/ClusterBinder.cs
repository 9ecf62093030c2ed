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
        if (children.TryGetValue("body_timeout", out node) && reader.TryDuration(node, $"{prefix}.body_timeout", false, out var body))
            options = options with { BodyTimeout = body };
        if (children.TryGetValue("request_timeout", out node) && reader.TryDuration(node, $"{prefix}.request_timeout", false, out var total))
            options = options with { RequestTimeout = total };

        var balancer = BalancerFactory.DefaultName;
        if (children.TryGetValue("balancer", out node) && reader.TryString(node, $"{prefix}.balancer", out balancer)
            && !BalancerFactory.Names.Contains(balancer))
        {
            reader.Error(node, $"{prefix}.balancer",
                $"unknown balancer \"{balancer}\" (expected {string.Join(", ", BalancerFactory.Names)})");
        }

        var destinations = BindDestinations(reader, prefix, table).ToArray();
        SessionAffinity? affinity = null;
        if (children.TryGetValue("sticky", out node)) affinity = StickyBinder.Bind(reader, $"{prefix}.sticky", node, name);
        Resilience.RetryPolicy? retry = null;
        if (children.TryGetValue("retry", out node)) retry = RetryBinder.Bind(reader, $"{prefix}.retry", node);
        Resilience.BulkheadPolicy? bulkhead = null;
        if (children.TryGetValue("bulkhead", out node)) bulkhead = BindBulkhead(reader, $"{prefix}.bulkhead", node);
        Health.HealthCheckPolicy? health = null;
        if (children.TryGetValue("health", out node)) health = HealthBinder.Bind(reader, $"{prefix}.health", node);
        Resilience.OutlierPolicy? outlier = null;
        if (children.TryGetValue("outlier", out node)) outlier = OutlierBinder.Bind(reader, $"{prefix}.outlier", node);
        Resilience.CircuitBreakerPolicy? breaker = null;
        if (children.TryGetValue("circuit_breaker", out node)) breaker = CircuitBreakerBinder.Bind(reader, $"{prefix}.circuit_breaker", node);
        var panicThreshold = 0;
        if (children.TryGetValue("panic_threshold", out node)) reader.TryInt(node, $"{prefix}.panic_threshold", 0, 100, out panicThreshold);
        var dnsRefresh = Cluster.DefaultDnsRefresh;
        if (children.TryGetValue("dns_refresh", out node) && reader.TryDuration(node, $"{prefix}.dns_refresh", true, out var refresh))
        {
            if (refresh > TimeSpan.Zero && refresh < MinDnsRefresh) reader.Error(node, $"{prefix}.dns_refresh", "must be 0 (off) or at least 1s");
            dnsRefresh = refresh;
        }
        if (reader.ErrorCount != before) return null;
        return new Cluster(name, destinations, balancer, options)
        {
            Affinity = affinity, Retry = retry, Bulkhead = bulkhead, PanicThreshold = panicThreshold, DnsRefresh = dnsRefresh, Health = health,
            Outlier = outlier, CircuitBreaker = breaker,
        };
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
        var entries = new List<(string Address, int Weight, ConfigNode Node)>();
        var errorsBefore = reader.ErrorCount;
        if (node.Kind == ConfigNodeKind.Array && node.Items.Exists(i => i.Kind == ConfigNodeKind.Table))
        {
            foreach (var item in node.Items)
                if (BindEntry(reader, key, item) is { } entry) entries.Add(entry);
        }
        else if (reader.TryStringList(node, key, out var addresses))
        {
            foreach (var (address, source) in addresses) entries.Add((address, 1, source));
        }
        else return destinations;
        if (entries.Count == 0 && reader.ErrorCount == errorsBefore)
        {
            reader.Error(node, key, "cluster has no destinations");
            return destinations;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (address, weight, source) in entries)
        {
            var resolvedAt = DateTime.UtcNow;
            if (!AddressParser.TryResolveDestination(address, out var endPoints, out var error))
                reader.Error(source, key, $"bad address \"{address}\": {error}");
            else if (!seen.Add(address.Trim()))
                reader.Error(source, key, $"duplicate destination \"{address}\"");
            else
                destinations.Add(new Destination(address.Trim(), endPoints[0], weight) { Resolved = endPoints, ResolvedAt = resolvedAt });
        }
        return destinations;
    }

    private static readonly TimeSpan MinDnsRefresh = TimeSpan.FromSeconds(1);

    private static readonly string[] BulkheadKeys = ["max_concurrent", "max_queue", "queue_timeout"];

    /// <summary><c>bulkhead = { max_concurrent = 1000, max_queue = 100, queue_timeout = "1s" }</c> (those are its defaults).</summary>
    private static Resilience.BulkheadPolicy? BindBulkhead(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, BulkheadKeys, "{ max_concurrent = 1000, max_queue = 100, queue_timeout = \"1s\" }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;
        var max = 1000;
        if (children.TryGetValue("max_concurrent", out var child) && !reader.TryInt(child, $"{key}.max_concurrent", 1, 1_000_000, out max)) max = 1000;
        var queue = 100;
        if (children.TryGetValue("max_queue", out child) && !reader.TryInt(child, $"{key}.max_queue", 0, 1_000_000, out queue)) queue = 100;
        var timeout = TimeSpan.FromSeconds(1);
        if (children.TryGetValue("queue_timeout", out child) && reader.TryDuration(child, $"{key}.queue_timeout", true, out var wait)) timeout = wait;
        return reader.ErrorCount != before ? null : new Resilience.BulkheadPolicy(max, queue, timeout);
    }

    /// <summary>One item of <c>destinations</c>: "host:port", or <c>{ address = "host:port", weight = N }</c>.</summary>
    private static (string, int, ConfigNode)? BindEntry(ConfigReader reader, string key, ConfigNode item)
    {
        if (item.Kind == ConfigNodeKind.String) return (item.Text, 1, item);
        if (item.Kind != ConfigNodeKind.Table)
        {
            reader.Error(item, key, $"expected \"host:port\" or {{ address = \"host:port\", weight = N }}, got a {item.TypeName}");
            return null;
        }
        reader.CheckKeys(item, key, ["address", "weight"]);
        var weight = 1;
        if (item.Children.TryGetValue("weight", out var w) && !reader.TryInt(w, $"{key}.weight", 1, Destination.MaxWeight, out weight)) return null;
        if (!item.Children.TryGetValue("address", out var a))
        {
            reader.Error(item, $"{key}.address", "a destination table needs an address");
            return null;
        }
        return reader.TryString(a, $"{key}.address", out var address) ? (address, weight, a) : null;
    }
}
