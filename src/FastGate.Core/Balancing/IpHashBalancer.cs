using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// <c>ip_hash</c>: the same client goes to the same destination, by weighted <see cref="Rendezvous"/> hashing over the available
/// set: each destination scores <c>-weight / ln(hash(client, destination))</c> and the highest wins. Removing one
/// of n destinations moves only the clients it had (about 1/n), adding one takes about its share, and every gateway
/// instance agrees, since the hash is a fixed function of the bytes (not the process-randomised HashCode). The
/// client is the connection's address, or, from a trusted proxy, the last address of its X-Forwarded-For.
/// </summary>
public sealed class IpHashBalancer : IBalancer
{
    public const string ConfigName = "ip_hash";

    public string Name => ConfigName;

    public DestinationState? Pick(ExchangeContext context, DestinationState[] available)
    {
        if (available.Length <= 1) return available.Length == 0 ? null : available[0];
        return Rendezvous.Pick(StableHash.Of(context.ClientAddress), available, slowStart: true);
    }
}
