using System.Diagnostics.CodeAnalysis;

namespace FastGate.Balancing;

/// <summary>Creates balancers from their config names.</summary>
public static class BalancerFactory
{
    public const string DefaultName = RoundRobinBalancer.ConfigName;

    /// <summary>Every accepted <c>balancer</c> value, for error messages.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        RoundRobinBalancer.ConfigName, LeastConnectionsBalancer.ConfigName, WeightedRoundRobinBalancer.ConfigName,
        IpHashBalancer.ConfigName, RandomBalancer.ConfigName, PeakEwmaBalancer.ConfigName,
    ];

    public static bool TryCreate(string name, [NotNullWhen(true)] out IBalancer? balancer)
    {
        balancer = name switch
        {
            RoundRobinBalancer.ConfigName => new RoundRobinBalancer(),
            LeastConnectionsBalancer.ConfigName => new LeastConnectionsBalancer(),
            WeightedRoundRobinBalancer.ConfigName => new WeightedRoundRobinBalancer(),
            IpHashBalancer.ConfigName => new IpHashBalancer(),
            RandomBalancer.ConfigName => new RandomBalancer(),
            PeakEwmaBalancer.ConfigName => new PeakEwmaBalancer(),
            _ => null,
        };
        return balancer is not null;
    }

    /// <summary>Creates a fresh balancer (each cluster needs its own, they carry state). Throws <see cref="ArgumentException"/> for an unknown name.</summary>
    public static IBalancer Create(string name) =>
        TryCreate(name, out var balancer)
            ? balancer
            : throw new ArgumentException($"unknown balancer \"{name}\" (expected {string.Join(", ", Names)})", nameof(name));
}
