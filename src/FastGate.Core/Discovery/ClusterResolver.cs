using System.Net;
using FastGate.Telemetry.Logging;
using FastGate.Upstreams;

namespace FastGate.Discovery;

/// <summary>
/// Keeps the host names of one cluster's destinations resolved (Envoy's strict DNS): every <c>dns_refresh</c>, on one
/// timer for the whole cluster, and soon after a failed connect to one of them (at most once per
/// <see cref="UpstreamRuntime.EarlyRefreshInterval"/>). Each name stands for one destination per address; the
/// addresses live here, runtime state kept by cluster name across reloads, and a change is handed to the
/// <see cref="UpstreamRuntime"/>, which reconciles the cluster's members as a reload would. A failed lookup keeps the
/// last good addresses.
/// </summary>
/// <remarks>
/// <see cref="Bind"/>, <see cref="Members"/> and <see cref="Record"/> run under the runtime's bind lock, which orders
/// refreshes and reloads: a lookup that started before the addresses already known (say, those a reload's config
/// just resolved) is dropped, so neither can bring back older addresses.
/// </remarks>
public sealed class ClusterResolver : IDisposable
{
    /// <summary>How long one lookup may take before it counts as failed.</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private readonly IHostResolver _resolver;
    private readonly Action<ClusterResolver, HostResolution[]> _resolved;
    private readonly long _earlyIntervalMs;
    private readonly Timer _timer;
    private readonly Dictionary<string, NameStatus> _names = new(StringComparer.OrdinalIgnoreCase);
    private volatile Dictionary<string, NameStatus> _published = new(StringComparer.OrdinalIgnoreCase);
    private readonly long[] _results = new long[DnsResults.Count];
    private volatile Cluster _cluster = null!;
    private long _lastEarlyRefresh = long.MinValue / 2;
    private int _running;
    private long _earlyRefreshes;
    private volatile bool _disposed;

    internal ClusterResolver(string cluster, IHostResolver resolver, TimeSpan earlyInterval, Action<ClusterResolver, HostResolution[]> resolved)
    {
        ClusterName = cluster;
        _resolver = resolver;
        _earlyIntervalMs = (long)earlyInterval.TotalMilliseconds;
        _resolved = resolved;
        _timer = new Timer(static s => _ = ((ClusterResolver)s!).RefreshAsync(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public string ClusterName { get; }

    /// <summary>The cluster as its latest bound config has it.</summary>
    public Cluster Config => _cluster;

    /// <summary>Resolutions so far, by result (kept across reloads).</summary>
    public long Resolutions(DnsResult result) => Volatile.Read(ref _results[(int)result]);

    /// <summary>Lookups started by failed connects (each at least the early-refresh interval after the one before).</summary>
    internal long EarlyRefreshes => Interlocked.Read(ref _earlyRefreshes);

    /// <summary>What is known of a host name of the cluster's current config, or null.</summary>
    public NameStatus? StatusOf(string host) => _published.GetValueOrDefault(host);

    /// <summary>
    /// Takes a new config of the cluster: its host names' addresses are the config's (resolved when it was loaded)
    /// unless a refresh found newer ones; names it no longer has are forgotten; the timer follows its <c>dns_refresh</c>.
    /// </summary>
    internal void Bind(Cluster cluster)
    {
        _cluster = cluster;
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var destination in cluster.Destinations)
        {
            if (destination.HostName is not { } host || destination.Resolved.Length == 0) continue;
            hosts.Add(host);
            var loaded = new NameStatus(host, HostAddresses.Preferred(Array.ConvertAll(destination.Resolved, e => e.Address)), destination.ResolvedAt);
            if (!_names.TryGetValue(host, out var known) || known.ResolvedAt < loaded.ResolvedAt) _names[host] = loaded;
        }
        foreach (var host in _names.Keys.Where(h => !hosts.Contains(h)).ToList()) _names.Remove(host);
        Publish();
        var period = hosts.Count == 0 || cluster.DnsRefresh <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : cluster.DnsRefresh;
        _timer.Change(period, period);
    }

    /// <summary>The cluster's destinations now: each given by host name once per address it resolves to, with its weight.</summary>
    internal Destination[] Members()
    {
        var members = new List<Destination>();
        foreach (var destination in _cluster.Destinations)
        {
            if (destination.HostName is not { } host || destination.Resolved.Length == 0 || !_names.TryGetValue(host, out var status))
            {
                members.Add(destination);
                continue;
            }
            var port = destination.Resolved[0].Port;
            foreach (var address in status.Addresses) members.Add(destination.At(new IPEndPoint(address, port)));
        }
        return [.. members];
    }

    /// <summary>Takes lookups' answers in (counted, logged); returns whether any name's addresses changed.</summary>
    internal bool Record(HostResolution[] results)
    {
        var changed = false;
        foreach (var result in results)
        {
            // A name the config no longer has, or a lookup older than what is known: nothing to learn.
            if (!_names.TryGetValue(result.Host, out var known) || result.StartedAt < known.ResolvedAt) continue;
            if (result.Addresses is not { Length: > 0 } addresses)
            {
                _names[result.Host] = known with { Error = result.Error ?? "no IP address", FailedAt = result.StartedAt };
                Count(DnsResult.Failed);
                Log.Warn($"dns: cluster {ClusterName}: cannot resolve \"{result.Host}\" ({result.Error}); keeping {HostAddresses.Describe(known.Addresses)}");
            }
            else if (HostAddresses.Same(addresses, known.Addresses))
            {
                _names[result.Host] = known with { ResolvedAt = result.StartedAt };
                Count(DnsResult.Unchanged);
            }
            else
            {
                _names[result.Host] = known with { Addresses = addresses, ResolvedAt = result.StartedAt };
                Count(DnsResult.Changed);
                Log.Notice($"dns: cluster {ClusterName}: \"{result.Host}\" now resolves to {HostAddresses.Describe(addresses)} (was {HostAddresses.Describe(known.Addresses)})");
                changed = true;
            }
        }
        Publish();
        return changed;
    }

    /// <summary>A connect to one of the names' addresses failed: resolve again now, unless that was done less than the early-refresh interval ago.</summary>
    internal void RefreshSoon()
    {
        if (_disposed || _cluster.DnsRefresh <= TimeSpan.Zero) return;
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastEarlyRefresh);
        if (now - last < _earlyIntervalMs || Interlocked.CompareExchange(ref _lastEarlyRefresh, now, last) != last) return;
        Interlocked.Increment(ref _earlyRefreshes);
        ThreadPool.UnsafeQueueUserWorkItem(static r => _ = r.RefreshAsync(), this, preferLocal: false);
    }

    /// <summary>Looks every host name of the cluster up (one refresh at a time) and hands the answers to the runtime.</summary>
    internal async Task RefreshAsync()
    {
        if (_disposed || Interlocked.Exchange(ref _running, 1) == 1) return;
        try
        {
            var hosts = _cluster.Destinations.Select(d => d.HostName).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var results = new HostResolution[hosts.Length];
            for (var i = 0; i < hosts.Length; i++) results[i] = await ResolveAsync(hosts[i]).ConfigureAwait(false);
            if (!_disposed && results.Length > 0) _resolved(this, results);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task<HostResolution> ResolveAsync(string host)
    {
        var startedAt = DateTime.UtcNow;
        using var timeout = new CancellationTokenSource(ResolveTimeout);
        try
        {
            var addresses = HostAddresses.Preferred(await _resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false));
            return addresses.Length == 0 ? new(host, startedAt, null, "no IP address") : new(host, startedAt, addresses, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new(host, startedAt, null, $"no answer within {ResolveTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex)
        {
            // Whatever the resolver threw, the name keeps its last good addresses.
            return new(host, startedAt, null, ex.Message);
        }
    }

    private void Count(DnsResult result) => Interlocked.Increment(ref _results[(int)result]);

    private void Publish() => _published = new Dictionary<string, NameStatus>(_names, StringComparer.OrdinalIgnoreCase);

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
