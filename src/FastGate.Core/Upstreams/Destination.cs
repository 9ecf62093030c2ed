using System.Net;
using System.Text;

namespace FastGate.Upstreams;

/// <summary>
/// One upstream address of a cluster, as configured. Immutable, part of a snapshot; its runtime state is a
/// <see cref="DestinationState"/>. A destination given by host name stands for one destination per address the
/// name resolves to (<see cref="At"/>), re-resolved by the cluster's <see cref="Discovery.ClusterResolver"/>.
/// </summary>
public sealed class Destination
{
    public Destination(string address, EndPoint endPoint, int weight = 1)
    {
        Address = address;
        EndPoint = endPoint;
        Weight = weight;
        HostName = Configuration.AddressParser.HostNameOf(address);
        Name = HostName is null ? address : endPoint.ToString() ?? address;
        AuthorityBytes = Encoding.ASCII.GetBytes(address);
        AddressHash = Balancing.StableHash.Of(Encoding.ASCII.GetBytes(Name));
        Resolved = endPoint is IPEndPoint ip ? [ip] : [];
    }

    /// <summary>A hash of <see cref="Name"/> that is the same in every gateway process, for <c>ip_hash</c> and sticky cookies.</summary>
    public ulong AddressHash { get; }

    /// <summary>"host:port" as written in the config.</summary>
    public string Address { get; }

    /// <summary>
    /// What tells it from the cluster's other destinations (metric labels, <c>/admin/upstreams</c>): <see cref="Address"/>
    /// for an IP literal; the resolved "ip:port" for a host name, which may stand for several.
    /// </summary>
    public string Name { get; }

    /// <summary>The host of <see cref="Address"/> when it is a name (re-resolved while <c>dns_refresh</c> is on); null for an IP literal.</summary>
    public string? HostName { get; }

    /// <summary>Where connections go: the address resolved when the config was loaded, or by the latest refresh.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Every address the host name resolved to when the config was loaded (<see cref="EndPoint"/> alone for an IP literal).</summary>
    public IPEndPoint[] Resolved { get; init; }

    /// <summary>When <see cref="Resolved"/> was looked up (UTC): a refresh started before it is older news.</summary>
    public DateTime ResolvedAt { get; init; } = DateTime.UtcNow;

    /// <summary>Its share under the weighted balancers (<c>weighted_round_robin</c>, <c>ip_hash</c>), 1 to <see cref="MaxWeight"/>.</summary>
    public int Weight { get; }

    public const int MaxWeight = 1000;

    /// <summary>The address as ASCII bytes, used when the Host header is rewritten to the destination (the host name, not the resolved IP).</summary>
    public byte[] AuthorityBytes { get; }

    /// <summary>This host-name destination at one of its addresses: same address as written and weight, connecting to <paramref name="endPoint"/>.</summary>
    public Destination At(IPEndPoint endPoint) => new(Address, endPoint, Weight) { ResolvedAt = ResolvedAt };

    public override string ToString() => Address;
}
