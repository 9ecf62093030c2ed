namespace FastGate.Policies;

/// <summary>A route's compiled policies, in the order they run. Empty arrays cost a route nothing.</summary>
public sealed class RoutePolicies
{
    public static readonly RoutePolicies None = new();

    public IRequestPolicy[] Request { get; init; } = [];
    public IResponsePolicy[] Response { get; init; } = [];
    /// <summary>The policy names as the route lists them.</summary>
    public string[] Names { get; init; } = [];

    /// <summary>The route's policies in list order; <see cref="None"/> for an empty list.</summary>
    public static RoutePolicies Compile(string route, IReadOnlyList<IPolicyDefinition> definitions)
    {
        if (definitions.Count == 0) return None;
        var request = new List<IRequestPolicy>();
        var response = new List<IResponsePolicy>();
        foreach (var definition in definitions) definition.Compile(route, request, response);
        return new RoutePolicies { Request = [.. request], Response = [.. response], Names = [.. definitions.Select(d => d.Name)] };
    }
}
