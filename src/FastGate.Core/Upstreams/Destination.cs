using System.Net;
using System.Text;

namespace FastGate.Upstreams;

/// <summary>One upstream address of a cluster, with the live state the balancers read.</summary>
public sealed class Destination
{
    private int _inFlight;

    public Destination(string address, EndPoint endPoint, int weight = 1)
    {
        Address = address;
        EndPoint = endPoint;
        Weight = weight;
        AuthorityBytes = Encoding.ASCII.GetBytes(address);
    }

    /// <summary>"host:port" as written in the config.</summary>
    public string Address { get; }

    public EndPoint EndPoint { get; }

    public int Weight { get; }

    /// <summary>The address as ASCII bytes, used when the Host header is rewritten to the destination.</summary>
    public byte[] AuthorityBytes { get; }

    /// <summary>Requests currently being forwarded to this destination.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnRequestStart() => Interlocked.Increment(ref _inFlight);

    public void OnRequestEnd() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The keep-alive connection pool; set when the snapshot is built.</summary>
    public UpstreamPool Pool { get; internal set; } = null!;

    public override string ToString() => Address;
}
