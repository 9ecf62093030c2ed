namespace FastGate.Policies;

/// <summary>A route's compiled policies, in the order they run. Empty arrays cost a route nothing.</summary>
public sealed class RoutePolicies
{
    public static readonly RoutePolicies None = new();

    public IRequestPolicy[] Request { get; init; } = [];
    public IResponsePolicy[] Response { get; init; } = [];
}
