using FastGate.Configuration;

namespace FastGate.Proxy;

/// <summary>The current snapshot; readers take it once per request, a reload swaps it with one atomic write.</summary>
public sealed class SnapshotHolder(GatewaySnapshot initial)
{
    private GatewaySnapshot _current = initial;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public void Swap(GatewaySnapshot next) => Volatile.Write(ref _current, next);
}
