using System.Net;
using System.Text;

namespace FastGate.Proxy;

/// <summary>What the gateway knows about the client of one connection, computed once per connection.</summary>
internal sealed class ClientInfo
{
    public ClientInfo(EndPoint? remote, bool isHttps, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var address = (remote as IPEndPoint)?.Address;
        if (address is { IsIPv4MappedToIPv6: true }) address = address.MapToIPv4();
        AddressBytes = Encoding.ASCII.GetBytes(address?.ToString() ?? "unknown");
        Scheme = isHttps ? "https"u8.ToArray() : "http"u8.ToArray();
        if (address is not null)
            foreach (var network in trustedProxies)
                if (network.Contains(address)) IsTrustedProxy = true;
    }

    /// <summary>The client address as text bytes, for X-Forwarded-For.</summary>
    public byte[] AddressBytes { get; }
    public byte[] Scheme { get; }
    /// <summary>A trusted proxy's X-Forwarded-* fields are kept and appended to rather than replaced.</summary>
    public bool IsTrustedProxy { get; }
}
