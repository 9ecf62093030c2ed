using System.Net;

namespace FastGate.Upstreams;

/// <summary>
/// What makes two configured destinations the same runtime destination: where connections go, and the settings
/// the pool was built with. A reload that changes any of them gets a fresh <see cref="DestinationState"/> (and
/// pool) while the old one drains.
/// </summary>
public readonly record struct DestinationKey(
    string Scheme, string Address, EndPoint EndPoint, int MaxConnections, int MaxIdleConnections, TimeSpan IdleTimeout,
    TimeSpan ConnectTimeout)
{
    public const string Http = "http";

    public static DestinationKey For(Destination destination, ClusterOptions options) => new(
        Http,
        // Host names are case-insensitive; the config already rejects "A:1" next to "a:1" in one cluster.
        destination.Address.ToLowerInvariant(),
        destination.EndPoint,
        options.MaxConnectionsPerDestination,
        options.MaxIdleConnectionsPerDestination,
        options.IdleTimeout,
        options.ConnectTimeout);

    public override string ToString() => $"{Scheme}://{Address} ({EndPoint})";
}
