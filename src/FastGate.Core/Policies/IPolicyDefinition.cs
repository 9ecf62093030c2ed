namespace FastGate.Policies;

/// <summary>
/// One <c>[policies.NAME]</c> block, bound and validated at load. A route that lists it compiles it into its
/// <see cref="RoutePolicies"/> (a request side, a response side, or both), in the order of the route's list.
/// </summary>
public interface IPolicyDefinition
{
    string Name { get; }

    /// <summary>The config <c>type</c>: "cors", "transform", "rate_limit".</summary>
    string Type { get; }

    /// <summary>Every key of the type with its value as configured (null when left out), for <c>/admin/config</c>.</summary>
    System.Text.Json.Nodes.JsonObject Describe();

    /// <summary>Adds this policy's phase 3 and phase 6 parts for the route named <paramref name="route"/>.</summary>
    void Compile(string route, List<IRequestPolicy> request, List<IResponsePolicy> response);
}
