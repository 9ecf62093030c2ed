using System.Net;

namespace FastGate.Discovery;

/// <summary>The system's resolver (getaddrinfo: /etc/hosts, then DNS), through <see cref="Dns"/>.</summary>
public sealed class SystemHostResolver : IHostResolver
{
    public static readonly SystemHostResolver Instance = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
