using System.Text;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Transport;

namespace FastGate.Configuration;

/// <summary>A compact, human-readable description of a snapshot, for <c>fastgate validate</c> and the startup banner.</summary>
public static class SnapshotSummary
{
    /// <summary>Describes <paramref name="snapshot"/>; <paramref name="running"/> is the transport in use when it differs (a fallback).</summary>
    public static string Describe(GatewaySnapshot snapshot, TransportKind? running = null)
    {
        var sb = new StringBuilder();
        sb.Append("listen    ").AppendJoin(", ", snapshot.Listeners)
          .Append(" (").Append(TransportSelection.Name(running ?? snapshot.Transport)).AppendLine(" transport)");
        var l = snapshot.Limits;
        sb.Append("limits    request line ").Append(SizeParser.Format(l.MaxRequestLineBytes))
          .Append(", headers ").Append(SizeParser.Format(l.MaxHeaderBytes)).Append(" / ").Append(l.MaxHeaderCount)
          .Append(", body ").Append(l.MaxRequestBodyBytes < 0 ? "unlimited" : SizeParser.Format(l.MaxRequestBodyBytes))
          .Append(", response headers ").Append(SizeParser.Format(l.MaxResponseHeaderBytes)).AppendLine();
        sb.Append("timeouts  header ").Append(DurationParser.Format(l.HeaderTimeout))
          .Append(", keep-alive ").Append(DurationParser.Format(l.KeepAliveTimeout))
          .Append(", send ").Append(DurationParser.Format(l.SendTimeout))
          .Append(", drain ").Append(DurationParser.Format(snapshot.DrainTimeout)).AppendLine();
        sb.Append("buffering response ").Append(SizeParser.Format(l.ResponseBuffer))
          .Append(l.Spool ? $" then spool in {l.SpoolDirectory} (≤ {SizeParser.Format(l.MaxSpoolPerResponse)} each, {SizeParser.Format(l.MaxSpoolTotal)} in all)" : ", no spool")
          .Append(", request ").Append(SizeParser.Format(l.RequestBuffer))
          .Append(l.MinRequestBodyRate > 0 ? $", min body rate {l.MinRequestBodyRate} B/s after {DurationParser.Format(l.MinRequestBodyRateGrace)}" : ", no min body rate")
          .Append(", lingering ").Append(DurationParser.Format(l.LingeringTime)).AppendLine();
        sb.Append("paths     escaped slashes ").Append(PathOptions.Format(l.EscapedSlashes))
          .AppendLine(l.MergeSlashes ? ", \"//\" merged" : ", \"//\" kept");
        if (snapshot.TrustedProxies.Count > 0)
            sb.Append("trusted   ").AppendJoin(", ", snapshot.TrustedProxies).AppendLine();

        var routes = snapshot.Routes.Routes;
        sb.Append("routes    ").Append(routes.Count).AppendLine(routes.Count == 0 ? " (every request answers 404)" : " in match order");
        var rows = new List<string[]>();
        for (var i = 0; i < routes.Count; i++)
        {
            var r = routes[i];
            rows.Add([$"{i + 1}.", r.Name, Methods(r.Methods), r.Host ?? "*", r.Path, "-> " + r.Cluster.Name, Rewrites(r)]);
        }
        AppendTable(sb, rows, "  ");
        if (routes.Any(r => r.CacheOptions is { Enabled: true }))
        {
            var cache = snapshot.Cache;
            sb.Append("cache     ").Append(SizeParser.Format(cache.MemoryBytes)).Append(" in memory, ").Append(cache.Eviction)
              .Append(cache.StatusHeader.Length > 0 ? $", status in {cache.StatusHeader}" : ", no status header")
              .AppendLine(cache.Redis.Length > 0 ? $", L2 Redis (namespace {cache.Namespace}, timeout {DurationParser.Format(cache.RedisTimeout)}, breaker opens for {DurationParser.Format(cache.RedisBreakerOpenDuration)} after {cache.RedisBreakerFailures} failures)" : "");
        }

        sb.Append("clusters  ").Append(snapshot.Clusters.Count).AppendLine();
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var o = cluster.Options;
            sb.Append("  ").Append(cluster.Name).Append("  ").Append(cluster.BalancerName)
              .Append(", max ").Append(o.MaxConnectionsPerDestination).Append(" conn/destination")
              .Append(" (").Append(o.MaxIdleConnectionsPerDestination).Append(" idle)")
              .Append(", idle ").Append(DurationParser.Format(o.IdleTimeout))
              .Append(", connect ").Append(DurationParser.Format(o.ConnectTimeout))
              .Append(", response ").Append(DurationParser.Format(o.ResponseTimeout)).AppendLine();
            foreach (var d in cluster.Destinations)
            {
                sb.Append("    ").Append(d.Address);
                var resolved = d.Resolved.Length == 0 ? d.EndPoint.ToString() : string.Join(", ", d.Resolved.Select(e => e.ToString()));
                if (resolved != d.Address) sb.Append(" (").Append(resolved).Append(')');
                if (d.HostName is not null && cluster.DnsRefresh > TimeSpan.Zero) sb.Append(" every ").Append(DurationParser.Format(cluster.DnsRefresh));
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }

    private static string Methods(HttpMethodSet set) => set.IsAny ? "ANY" : string.Join(',', MethodNames(set));

    /// <summary>The standard methods in the set, upper-case, in declaration order.</summary>
    internal static List<string> MethodNames(HttpMethodSet set)
    {
        var names = new List<string>();
        foreach (var m in Enum.GetValues<HttpMethod>())
        {
            if (m != HttpMethod.Custom && set.Contains(m)) names.Add(m.ToString().ToUpperInvariant());
        }
        return names;
    }

    private static string Rewrites(Route r)
    {
        var parts = new List<string>();
        if (r.StripPrefix.Length > 0) parts.Add("strip " + Encoding.ASCII.GetString(r.StripPrefix));
        if (r.AddPrefix.Length > 0) parts.Add("add " + Encoding.ASCII.GetString(r.AddPrefix));
        if (r.HostHeader == HostHeaderMode.Destination) parts.Add("host=destination");
        else if (r.HostHeader == HostHeaderMode.Fixed) parts.Add("host=" + Encoding.ASCII.GetString(r.FixedHost));
        if (r.CacheOptions is { Enabled: true } c)
            parts.Add($"cached (max {DurationParser.Format(c.MaxTtl)}, default {DurationParser.Format(c.DefaultTtl)}, objects up to {SizeParser.Format(c.MaxObjectSize)})");
        return string.Join(", ", parts);
    }

    private static void AppendTable(StringBuilder sb, List<string[]> rows, string indent)
    {
        if (rows.Count == 0) return;
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        foreach (var row in rows)
        {
            var line = new StringBuilder(indent);
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(row[c]);
                if (c < row.Length - 1) line.Append(' ', widths[c] - row[c].Length + 2);
            }
            sb.AppendLine(line.ToString().TrimEnd());
        }
    }
}
