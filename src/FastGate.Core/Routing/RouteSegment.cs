namespace FastGate.Routing;

/// <summary>One compiled segment of a <see cref="RoutePattern"/>.</summary>
public readonly record struct RouteSegment(RouteSegmentKind Kind, byte[] Literal, string? ParameterName);
