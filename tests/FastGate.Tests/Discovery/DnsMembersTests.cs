using System.Net;
using FastGate.Balancing;
using FastGate.Discovery;
using FastGate.Upstreams;

namespace FastGate.Tests.Discovery;

/// <summary>How a cluster's host names become its members, and how refreshes and reloads reconcile them (no sockets).</summary>
public sealed class DnsMembersTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1"), B = IPAddress.Parse("10.0.0.2"), C = IPAddress.Parse("10.0.0.3");
    private readonly ScriptedHostResolver _resolver = new();
    private readonly UpstreamRuntime _runtime;

    public DnsMembersTests() => _runtime = new(Timeout.InfiniteTimeSpan, _resolver);

    public void Dispose() => _runtime.Dispose();

    /// <summary>A destination "host:port" as the config loader makes it, resolved to <paramref name="addresses"/> at <paramref name="resolvedAt"/>.</summary>
    internal static Destination Named(string address, int weight, DateTime resolvedAt, params IPAddress[] addresses)
    {
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..]);
        var endPoints = Array.ConvertAll(addresses, a => new IPEndPoint(a, port));
        return new Destination(address, endPoints[0], weight) { Resolved = endPoints, ResolvedAt = resolvedAt };
    }

    internal static Cluster ClusterOf(TimeSpan refresh, params Destination[] destinations) =>
        new("backend", destinations, RoundRobinBalancer.ConfigName, new ClusterOptions()) { DnsRefresh = refresh };

    private static Cluster Api(DateTime resolvedAt, params IPAddress[] addresses) =>
        ClusterOf(TimeSpan.FromHours(1), Named("api.test:8080", 3, resolvedAt, addresses));

    private static string[] Names(Cluster cluster) => [.. cluster.State.Members.Select(m => m.Config.Name)];

    [Fact]
    public void A_name_with_two_addresses_is_two_destinations_with_the_configured_weight_and_host()
    {
        var cluster = Api(DateTime.UtcNow, B, A);
        _runtime.Bind([cluster]);

        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080"], Names(cluster)); // sorted: an answer's order is not a change
        Assert.All(cluster.State.Members, m => Assert.Equal((3, "api.test:8080", "api.test"), (m.Config.Weight, m.Config.Address, m.Config.HostName)));
        Assert.Equal(cluster.State.Members, cluster.State.Available);
        Assert.NotEqual(cluster.State.Members[0].Config.AddressHash, cluster.State.Members[1].Config.AddressHash);
        Assert.Equal(2, _runtime.Registry.Count);
    }

    [Fact]
    public async Task A_refresh_reconciles_the_members_as_a_reload_would_keeping_the_state_of_unchanged_addresses()
    {
        var cluster = Api(DateTime.UtcNow, A, B);
        _runtime.Bind([cluster]);
        var (a, b) = (cluster.State.Members[0], cluster.State.Members[1]);

        _resolver.Answer(C, B);
        await cluster.State.Resolver!.RefreshAsync();

        Assert.Equal(["10.0.0.2:8080", "10.0.0.3:8080"], Names(cluster));
        Assert.Same(b, cluster.State.Members[0]);
        Assert.True(a.Retired);
        Assert.DoesNotContain(a, cluster.State.Available);
        Assert.Equal(1, cluster.State.Resolver.Resolutions(DnsResult.Changed));
        Assert.Equal(1, _runtime.Registry.DrainingCount);

        await cluster.State.Resolver.RefreshAsync();
        Assert.Equal(1, cluster.State.Resolver.Resolutions(DnsResult.Unchanged));
        Assert.Same(b, cluster.State.Members[0]);
    }

    [Fact]
    public async Task A_failed_lookup_keeps_the_last_good_addresses_and_says_why()
    {
        var cluster = Api(DateTime.UtcNow, A);
        _runtime.Bind([cluster]);
        var members = cluster.State.Members;
        var resolver = cluster.State.Resolver!;

        _resolver.Fail();
        await resolver.RefreshAsync();
        _resolver.Answer();
        await resolver.RefreshAsync();

        Assert.Same(members, cluster.State.Members);
        Assert.Equal(2, resolver.Resolutions(DnsResult.Failed));
        var status = resolver.StatusOf("api.test")!;
        Assert.Equal([A], status.Addresses);
        Assert.Equal("no IP address", status.Error);
        Assert.True(status.FailedAt >= status.ResolvedAt);
    }

    [Fact]
    public async Task A_lookup_pending_across_a_reload_cannot_bring_back_older_addresses()
    {
        var cluster = Api(DateTime.UtcNow, A);
        _runtime.Bind([cluster]);
        _resolver.Hold();
        var refresh = cluster.State.Resolver!.RefreshAsync();
        await _resolver.Held.Task;

        // The reload's config was resolved after the pending lookup started: its answer is older news.
        var reloaded = Api(DateTime.UtcNow.AddMilliseconds(1), C);
        _runtime.Bind([reloaded]);
        _resolver.Answer(B);
        _resolver.Release();
        await refresh;

        Assert.Equal(["10.0.0.3:8080"], Names(reloaded));
        Assert.Equal(0, reloaded.State.Resolver!.Resolutions(DnsResult.Changed));
    }

    [Fact]
    public async Task A_lookup_pending_across_a_reload_that_drops_the_name_cannot_bring_it_back()
    {
        var cluster = Api(DateTime.UtcNow, A);
        _runtime.Bind([cluster]);
        _resolver.Hold();
        var refresh = cluster.State.Resolver!.RefreshAsync();
        await _resolver.Held.Task;

        var literal = ClusterOf(TimeSpan.FromHours(1), new Destination("10.0.0.9:8080", new IPEndPoint(IPAddress.Parse("10.0.0.9"), 8080)));
        _runtime.Bind([literal]);
        _resolver.Answer(B);
        _resolver.Release();
        await refresh;

        Assert.Equal(["10.0.0.9:8080"], Names(literal));
        Assert.Equal(1, _runtime.Registry.DrainingCount); // api.test's 10.0.0.1, drained by the reload, not revived
    }

    [Fact]
    public async Task Two_entries_of_one_name_share_its_lookup()
    {
        var cluster = ClusterOf(TimeSpan.FromHours(1), Named("api.test:8080", 1, DateTime.UtcNow, A), Named("API.test:9090", 2, DateTime.UtcNow, A));
        _runtime.Bind([cluster]);
        _resolver.Answer(A, B);
        await cluster.State.Resolver!.RefreshAsync();

        Assert.Equal(1, _resolver.Calls);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.1:9090", "10.0.0.2:9090"], Names(cluster));
        Assert.Equal([1, 1, 2, 2], cluster.State.Members.Select(m => m.Config.Weight));
    }

    [Fact]
    public void A_cluster_of_ip_literals_has_no_resolver()
    {
        var cluster = ClusterOf(TimeSpan.FromSeconds(30), new Destination("10.0.0.9:8080", new IPEndPoint(IPAddress.Parse("10.0.0.9"), 8080)));
        _runtime.Bind([cluster]);
        Assert.Null(cluster.State.Resolver);
        Assert.Same(cluster.Destinations[0], cluster.State.Members[0].Config);
    }
}
