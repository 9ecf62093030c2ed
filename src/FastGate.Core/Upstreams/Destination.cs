using System.Net;
using System.Text;

namespace FastGate.Upstreams;

/// <summary>One upstream address of a cluster, as configured. Immutable, part of a snapshot; its runtime state is a <see cref="DestinationState"/>.</summary>
public sealed class Destination
{
    public Destination(string address, EndPoint endPoint, int weight = 1)
    {
        Address = address;
        EndPoint = endPoint;
        Weight = weight;
        AuthorityBytes = Encoding.ASCII.GetBytes(address);
        AddressHash = Balancing.StableHash.Of(AuthorityBytes);
    }

    /// <summary>A hash of the address that is the same in every gateway process, for <c>ip_hash</c>.</summary>
    public ulong AddressHash { get; }

    /// <summary>"host:port" as written in the config.</summary>
    public string Address { get; }

    /// <summary>The address resolved when the config was loaded.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Its share under the weighted balancers (<c>weighted_round_robin</c>, <c>ip_hash</c>), 1 to <see cref="MaxWeight"/>.</summary>
    public int Weight { get; }

    public const int MaxWeight = 1000;

    /// <summary>The address as ASCII bytes, used when the Host header is rewritten to the destination.</summary>
    public byte[] AuthorityBytes { get; }

    public override string ToString() => Address;
}
